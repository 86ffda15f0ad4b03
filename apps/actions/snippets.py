"""Copy-as snippets (ouro-py, curl, MCP) that run a route with given inputs. Pure."""

import json
import shlex
from dataclasses import dataclass


@dataclass(frozen=True)
class RouteRef:
    id: str
    service_id: str
    address: str  # "entity/name"


def _config(inputs: dict) -> dict:
    config = {}
    if inputs.get("body") is not None:
        config["body"] = inputs["body"]
    if inputs.get("query"):
        config["query"] = inputs["query"]
    if inputs.get("parameters"):
        config["params"] = inputs["parameters"]
    if inputs.get("input_assets"):
        config["input_assets"] = {k: {"assetId": v} for k, v in inputs["input_assets"].items()}
    return config


def _py(value) -> str:
    # JSON literals read as Python once true/false/null are spelled the Python way.
    return repr(json.loads(json.dumps(value)))


def snippets(*, site_url: str, route: RouteRef, inputs: dict) -> dict[str, str]:
    api = f"{site_url.rstrip('/')}/api"
    args = [repr(route.address)]
    for key, name in (("body", "body"), ("query", "query"), ("parameters", "params")):
        if inputs.get(key):
            args.append(f"{name}={_py(inputs[key])}")
    if inputs.get("input_assets"):
        args.append(f"input_assets={_py(inputs['input_assets'])}")
    python = (
        "import os\n"
        "from ouro import Ouro\n\n"
        f'ouro = Ouro(api_key=os.environ["OURO_API_KEY"], base_url={api!r})\n'
        f"action = ouro.routes.execute({', '.join(args)})\n"
        "print(action.status, action.final_data)\n"
    )
    payload = json.dumps({"config": _config(inputs)})
    url = f"{api}/services/{route.service_id}/routes/{route.id}/use"
    curl = (
        f"curl -X POST {shlex.quote(url)} \\\n"
        '  -H "Authorization: $OURO_API_KEY" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        f"  -d {shlex.quote(payload)}\n"
    )
    arguments = {"route_id": route.address}
    for key, name in (("body", "body"), ("query", "query"), ("parameters", "params")):
        if inputs.get(key):
            arguments[name] = inputs[key]
    if inputs.get("input_assets"):
        arguments["input_assets"] = inputs["input_assets"]
    mcp = (
        "# ouro-mcp with OURO_API_KEY and OURO_BASE_URL="
        + api
        + "\n"
        + json.dumps({"tool": "execute_route", "arguments": arguments}, indent=2)
        + "\n"
    )
    return {"python": python, "curl": curl, "mcp": mcp}
