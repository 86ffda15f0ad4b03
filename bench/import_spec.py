"""Import time and peak memory of the OpenAPI importer against bare parsing of the same bytes.

Run: .venv/bin/python bench/import_spec.py [--repeat N]

For the large specs of the public corpus (SPEC_CORPUS_DIR, default ../shared/specs; left out
when absent) and a generated spec of more than 4 MB and 400 operations with recursive schemas,
it prints the bare parse time (json.loads, or PyYAML's C safe loader for YAML), the full import
time (load + normalize + resolve every $ref), their ratio, the import plus serializing its
routes as stored (JSON) with its ratio, and the import's peak traced memory. Targets: import
at most 5 s and at most 15x the bare parse, peak memory at most 300 MB.
"""

import argparse
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from apps.services.importer import import_bytes  # noqa: E402

SPECS = (ROOT / (os.environ.get("SPEC_CORPUS_DIR") or "../shared/specs")).resolve()
BIG_SPECS = (
    "box-openapi.json",
    "twilio-api-v2010.json",
    "slack-web-openapi-v2.json",
    "openai-openapi-2024-09-24-yaml-anchors.yaml",
)
LIMIT = 64 * 1024 * 1024


def generated_spec(operations: int = 450, schemas: int = 150) -> bytes:
    """A spec with `operations` operations over `schemas` mutually recursive schemas."""
    components = {}
    for i in range(schemas):
        components[f"Node{i}"] = {
            "type": "object",
            "description": f"Node {i}. " + "Lorem ipsum dolor sit amet. " * 40,
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "value": {"type": "number", "minimum": 0, "maximum": 1000},
                "label": {"type": "string", "maxLength": 200},
                "next": {"$ref": f"#/components/schemas/Node{(i + 1) % schemas}"},
                "parent": {"$ref": f"#/components/schemas/Node{(i * 7) % schemas}"},
                "children": {
                    "type": "array",
                    "items": {"$ref": f"#/components/schemas/Node{i}"},
                },
                "tags": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["id"],
        }
    paths = {}
    for n in range(operations):
        schema = {"$ref": f"#/components/schemas/Node{n % schemas}"}
        paths[f"/resources{n}/{{id}}"] = {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get" if n % 2 else "post": {
                "operationId": f"op{n}",
                "summary": f"Operation {n}",
                "description": "Does a thing with the resource. " * 250,
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                ],
                "requestBody": {"content": {"application/json": {"schema": schema}}},
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": schema}},
                    },
                    "404": {"description": "not found"},
                },
            },
        }
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Generated", "version": "1"},
        "servers": [{"url": "https://api.example.org"}],
        "paths": paths,
        "components": {"schemas": components},
    }
    return json.dumps(document, indent=1).encode()


def bare_parse(data: bytes):
    if data.lstrip()[:1] in (b"{", b"["):
        return json.loads(data)
    return yaml.load(data, Loader=yaml.CSafeLoader)  # noqa: S506 (the C safe loader)


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    inputs = [(name, (SPECS / name).read_bytes()) for name in BIG_SPECS if (SPECS / name).exists()]
    inputs.append(("generated (recursive)", generated_spec()))
    columns = ("MB", "ops", "parse s", "import s", "ratio", "+JSON s", "ratio", "peak MB")
    print(f"{'spec':42} " + " ".join(f"{c:>8}" for c in columns))
    for name, data in inputs:
        parse_s = best_of(args.repeat, lambda data=data: bare_parse(data))
        import_s = best_of(args.repeat, lambda data=data: import_bytes(data, max_bytes=LIMIT))
        stored_s = best_of(
            args.repeat,
            lambda data=data: json.dumps(import_bytes(data, max_bytes=LIMIT).as_dict()),
        )
        tracemalloc.start()
        result = import_bytes(data, max_bytes=LIMIT)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"{name:42} {len(data) / 1e6:8.1f} {len(result.routes):8d} {parse_s:8.3f} "
            f"{import_s:8.3f} {import_s / parse_s:7.1f}x {stored_s:8.3f} "
            f"{stored_s / parse_s:7.1f}x {peak / 1e6:8.1f}"
        )


if __name__ == "__main__":
    main()
