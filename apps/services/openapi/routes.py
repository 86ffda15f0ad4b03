"""Route building: each operation of the document's `paths` becomes an ImportedRoute.

Path-level and operation-level parameters are merged (the operation's win), references are
resolved through the Resolver, Swagger 2.0 operations are brought to the OpenAPI 3 shape, and
the Ouro extensions are read. Each route's problems go into the warnings of the import report;
a path or operation that cannot be a route is skipped with a warning, never a crash.
"""

import re
from dataclasses import dataclass

from apps.services.openapi.ouro_extensions import execution_mode, ouro_assets, pricing
from apps.services.openapi.refs import Resolver
from apps.services.openapi.report import cookie_security, report_unrepresentable
from apps.services.openapi.results import HTTP_METHODS, ImportedRoute, ImportWarning, SpecError
from apps.services.openapi.servers import server_url
from apps.services.openapi.swagger import swagger_parameters, swagger_responses


@dataclass
class _Build:
    """What every operation of one document is read with."""

    document: dict
    resolver: Resolver
    swagger: bool
    warnings: list[ImportWarning]


def build_routes(
    document: dict, resolver: Resolver, swagger: bool, warnings: list[ImportWarning]
) -> list[ImportedRoute]:
    """The routes of the document's operations, in document order, named uniquely."""
    paths = document.get("paths")
    if paths is None and swagger:
        raise SpecError("The document has no 'paths': there is nothing to import")
    if paths is None:
        return []
    if not isinstance(paths, dict):
        raise SpecError("'paths' must be an object mapping paths to operations")
    build = _Build(document, resolver, swagger, warnings)
    cookie_auth = cookie_security(document, swagger)
    routes = []
    for raw_path, raw_item in paths.items():
        path = str(raw_path)
        if path.startswith("x-"):
            continue
        where = f"paths[{path!r}]"
        item, item_uri = _path_item(build, path, raw_item, where)
        if item is None:
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            if not isinstance(operation, dict):
                warnings.append(
                    ImportWarning(
                        "skipped", f"{method.upper()} {path}", "The operation is not an object"
                    )
                )
                continue
            route = _route(build, method, path, item, item_uri, operation, f"{where}.{method}")
            report_unrepresentable(route, operation, document, cookie_auth, warnings)
            routes.append(route)
    _name_routes(routes, warnings)
    return routes


def _path_item(build: _Build, path: str, raw_item, where: str) -> tuple[dict | None, str]:
    """The path item of a path key (its `$ref` followed), or None when it is skipped."""
    problem = _odd_path(path)
    if problem:
        build.warnings.append(ImportWarning("skipped", path, problem))
        return None, ""
    if "?" in path or "#" in path:
        # Kept on purpose: some APIs (Box) tell operations on one path apart this way.
        # The key stays the route's identity; a fragment is never sent, a query is.
        build.warnings.append(
            ImportWarning(
                "notice",
                path,
                "The path key carries a query string or fragment; it is kept as written "
                "(a query part is sent with every call, a fragment never is)",
            )
        )
    item, item_uri = build.resolver.deref(raw_item, build.resolver.root_uri, where)
    if not isinstance(item, dict):
        build.warnings.append(ImportWarning("skipped", path, "The path item is not an object"))
        return None, ""
    return item, item_uri


def _odd_path(path: str) -> str:
    if not path.startswith("/"):
        return "The path does not start with '/'; it is not a route"
    if any(ch.isspace() for ch in path):
        return "The path contains white space; it is not a route"
    if path.count("{") != path.count("}"):
        return "The path has unbalanced braces"
    return ""


def _route(
    build: _Build, method: str, path: str, item: dict, item_uri: str, operation: dict, where: str
) -> ImportedRoute:
    label = f"{method.upper()} {path}"
    resolver, warnings = build.resolver, build.warnings
    params = _merged_parameters(build, item, item_uri, operation, label, where)
    if build.swagger:
        parameters, request_body = swagger_parameters(
            build.document, operation, params, resolver, where
        )
        responses = swagger_responses(build.document, operation, resolver, item_uri, where)
    else:
        parameters = [_parameter(p, uri, resolver, where) for p, uri in params]
        request_body = _request_body(operation.get("requestBody"), resolver, item_uri, where)
        responses = _responses(operation.get("responses"), resolver, item_uri, where)
    for param in parameters:
        if param["in"] == "path":
            param["required"] = True
    servers = operation.get("servers") or item.get("servers") or []
    input_assets, output_assets, projection = ouro_assets(operation, label, warnings)
    if operation.get("callbacks"):
        warnings.append(
            ImportWarning(
                "notice",
                label,
                "Callbacks ("
                + ", ".join(map(str, operation["callbacks"]))
                + ") describe calls the API makes back; they are not routes",
            )
        )
    operation_id = str(operation.get("operationId") or "")
    return ImportedRoute(
        method=method.upper(),
        path=path,
        name=operation_id,
        operation_id=operation_id,
        summary=str(operation.get("summary") or "")[:500],
        description=str(operation.get("description") or ""),
        parameters=parameters,
        request_body=request_body,
        responses=responses,
        tags=[str(t) for t in operation.get("tags") or [] if isinstance(t, str | int)],
        deprecated=bool(operation.get("deprecated")),
        servers=[server_url(s, "") for s in servers if isinstance(s, dict) and s.get("url")],
        execution_mode=execution_mode(operation, responses, label, warnings),
        input_assets=input_assets,
        output_assets=output_assets,
        pricing=pricing(operation.get("x-ouro-pricing"), label, warnings),
        **projection,
    )


def _merged_parameters(
    build: _Build, item: dict, item_uri: str, operation: dict, label: str, where: str
) -> list[tuple[dict, str]]:
    """(parameter, its document) pairs: the path item's, then the operation's, which replace a
    path-level one of the same name and location."""
    path_params = item.get("parameters") or []
    merged: dict[tuple[str, str], tuple[dict, str]] = {}
    for raw in [
        *(path_params if isinstance(path_params, list) else []),
        *(operation.get("parameters") or []),
    ]:
        param, param_uri = build.resolver.deref(raw, item_uri, where)
        if not isinstance(param, dict) or "name" not in param or "in" not in param:
            build.warnings.append(
                ImportWarning("skipped", label, "A parameter without name or 'in'")
            )
            continue
        merged[(str(param["name"]), str(param["in"]))] = (param, param_uri)
    return list(merged.values())


def _parameter(param: dict, uri: str, resolver: Resolver, where: str) -> dict:
    out = {
        "name": str(param["name"]),
        "in": str(param["in"]),
        "required": bool(param.get("required")),
        "description": str(param.get("description") or ""),
    }
    if "schema" in param:
        out["schema"] = resolver.schema(param["schema"], uri, where)
    elif isinstance(param.get("content"), dict) and param["content"]:
        media, body = next(iter(param["content"].items()))
        out["content_type"] = str(media)
        out["schema"] = resolver.schema((body or {}).get("schema") or {}, uri, where)
    else:
        out["schema"] = {}
    for key in ("deprecated", "style", "explode", "example", "allowEmptyValue"):
        if key in param:
            out[key] = param[key]
    return out


def _media_content(content, resolver: Resolver, uri: str, where: str) -> dict:
    out = {}
    if not isinstance(content, dict):
        return out
    for media, body in content.items():
        body = body if isinstance(body, dict) else {}
        entry = {"schema": resolver.schema(body.get("schema") or {}, uri, where)}
        for key in ("example", "examples", "encoding"):
            if key in body:
                entry[key] = body[key]
        out[str(media)] = entry
    return out


def _request_body(raw, resolver: Resolver, uri: str, where: str) -> dict | None:
    if raw is None:
        return None
    body, body_uri = resolver.deref(raw, uri, where)
    if not isinstance(body, dict):
        return None
    return {
        "required": bool(body.get("required")),
        "description": str(body.get("description") or ""),
        "content": _media_content(body.get("content"), resolver, body_uri, where),
    }


def _responses(raw, resolver: Resolver, uri: str, where: str) -> dict:
    out = {}
    if not isinstance(raw, dict):
        return out
    for code, value in raw.items():
        if str(code).startswith("x-"):
            continue
        response, response_uri = resolver.deref(value, uri, f"{where}.responses[{code}]")
        if not isinstance(response, dict):
            continue
        entry = {"description": str(response.get("description") or "")}
        content = _media_content(response.get("content"), resolver, response_uri, where)
        if content:
            entry["content"] = content
        out[str(code)] = entry
    return out


def _name_routes(routes: list[ImportedRoute], warnings: list[ImportWarning]) -> None:
    """Route names come from operationIds; missing or repeated ones are made unique."""
    used: set[str] = set()
    for route in routes:
        base = route.operation_id or _derived_name(route.method, route.path)
        base = base[:190]
        name, n = base, 2
        while name in used:
            name, n = f"{base}_{n}", n + 1
        if route.operation_id and name != route.operation_id:
            warnings.append(
                ImportWarning(
                    "notice",
                    f"{route.method} {route.path}",
                    f"operationId {route.operation_id!r} is repeated; the route is named {name!r}",
                )
            )
        used.add(name)
        route.name = name


def _derived_name(method: str, path: str) -> str:
    words = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")
    return f"{method.lower()}_{words}" if words else method.lower()
