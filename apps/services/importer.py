"""The OpenAPI importer: bytes in, normalized routes and warnings out. No database, no network.

It reads Swagger 2.0, OpenAPI 3.0 and 3.1 documents in JSON or YAML. Loading is safe (no
Python objects from YAML), capped in size, and refuses alias bombs: YAML aliases are loaded as
shared objects, and the size the document would have once expanded is counted before anything
walks it. `$ref`s are resolved with a memo and a stack, so cyclic schemas are cut (the cycle
keeps its `$ref`) instead of hanging. References to other documents are resolved only through
a `fetch` callable the caller provides (a local folder for the CLI, the same origin through
the SSRF-safe client for URLs); without one they are refused, and `file:` or other hosts are
refused always.
"""

import json
import math
import posixpath
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
FORM_MEDIA_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
ASSET_TYPES = ("file", "dataset", "post", "comment", "route")
OUTPUT_ASSET_TYPES = ("file", "dataset", "post", "comment")
INPUT_FILTERS = ("audio", "video", "image", "pdf", "3d model", "atomic structure")
# Keys whose values are data, not schemas: a "$ref" inside an example is just text.
DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})
# How deep references are inlined, tried in turn until a schema fits SCHEMA_BYTES_BUDGET once
# expanded; deeper references keep their `$ref`. Sharing keeps memory small, but storing a
# route serializes the expanded tree, which many-branched recursive schemas make enormous.
REF_DEPTHS = (24, 8, 4, 2, 1, 0)
SCHEMA_BYTES_BUDGET = 64 * 1024
MAX_NESTING = 256
MAX_EXTERNAL_DOCUMENTS = 64
# An alias-free document of this many nodes is several hundred megabytes of JSON.
MAX_EXPANDED_NODES = 4_000_000


class SpecError(Exception):
    """The document cannot be imported; the message names the problem and where it is."""


@dataclass
class ImportWarning:
    kind: str  # "skipped" | "unrepresentable" | "notice"
    where: str
    message: str


@dataclass
class ImportedRoute:
    method: str
    path: str
    name: str
    operation_id: str
    summary: str
    description: str
    parameters: list
    request_body: dict | None
    responses: dict
    tags: list
    deprecated: bool
    servers: list
    execution_mode: str
    input_assets: dict
    output_assets: dict
    pricing: dict
    input_type: str = ""
    input_filter: str = ""
    input_file_extension: str = ""
    output_type: str = ""
    output_filter: str = ""
    output_file_extension: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ImportResult:
    spec_version: str
    title: str
    version: str
    description: str
    base_url: str
    routes: list[ImportedRoute]
    warnings: list[ImportWarning] = field(default_factory=list)
    document: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The shape the CLI prints: routes and warnings, always JSON-serializable."""
        return {
            "spec_version": self.spec_version,
            "title": self.title,
            "base_url": self.base_url,
            "routes": [route.as_dict() for route in self.routes],
            "warnings": [asdict(w) for w in self.warnings],
        }


# Loading -------------------------------------------------------------------------------------


class _SpecLoader(yaml.CSafeLoader):
    """Safe YAML where timestamps and binary stay text, so the result is plain JSON data."""


_SpecLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", yaml.constructor.SafeConstructor.construct_yaml_str
)
_SpecLoader.add_constructor(
    "tag:yaml.org,2002:binary", yaml.constructor.SafeConstructor.construct_yaml_str
)


def load_document(data: bytes, *, max_bytes: int, where: str = "the spec") -> dict:
    """Parse JSON or YAML bytes into plain data, refusing oversized input and alias bombs."""
    if len(data) > max_bytes:
        raise SpecError(
            f"{where} is {len(data):,} bytes; the limit is {max_bytes:,} bytes (SPEC_MAX_BYTES)"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{where} is not UTF-8 text (byte {exc.start})") from None
    stripped = text.lstrip()
    try:
        if stripped.startswith(("{", "[")):
            try:
                document = json.loads(text)
            except json.JSONDecodeError as exc:
                raise SpecError(
                    f"{where} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
                ) from None
        else:
            try:
                document = yaml.load(text, Loader=_SpecLoader)  # noqa: S506 (a safe loader)
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark or exc.context_mark
                at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
                raise SpecError(f"{where} is not valid YAML: {exc.problem}{at}") from None
            except yaml.YAMLError as exc:
                raise SpecError(f"{where} is not valid YAML: {exc}") from None
            document = _plain(document, where)
    except RecursionError:
        raise SpecError(f"{where} is nested too deeply to import") from None
    if not isinstance(document, dict):
        raise SpecError(f"{where} is not an OpenAPI document: its top level is not an object")
    return document


def _plain(document, where: str):
    """Turn YAML data into JSON data, keeping shared (aliased) nodes shared, and count size.

    The count is of the document as it would be if every alias were expanded: a handful of
    aliases can stand for billions of nodes, and anything that later serializes the spec
    would expand them.
    """
    memo: dict[int, tuple[object, int]] = {}
    active: set[int] = set()

    def walk(node, depth: int):
        if depth > MAX_NESTING:
            raise SpecError(f"{where} is nested more than {MAX_NESTING} levels deep")
        if isinstance(node, dict | list):
            key = id(node)
            if key in memo:
                return memo[key]
            if key in active:
                raise SpecError(f"{where} contains a YAML alias that refers to itself")
            active.add(key)
            size = 1
            if isinstance(node, dict):
                out = {}
                for k, v in node.items():
                    value, n = walk(v, depth + 1)
                    out[_key_text(k)] = value
                    size += n
            else:
                out = []
                for v in node:
                    value, n = walk(v, depth + 1)
                    out.append(value)
                    size += n
            active.discard(key)
            if size > MAX_EXPANDED_NODES:
                raise SpecError(
                    f"{where} expands to more than {MAX_EXPANDED_NODES:,} nodes through YAML "
                    "aliases (an alias bomb?)"
                )
            memo[key] = (out, size)
            return out, size
        if isinstance(node, float) and not math.isfinite(node):
            return str(node), 1
        if isinstance(node, set | tuple):
            return walk(list(node), depth)
        if node is None or isinstance(node, str | int | float | bool):
            return node, 1
        return str(node), 1

    return walk(document, 0)[0]


def _key_text(key) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return key if isinstance(key, str) else str(key)


# References ----------------------------------------------------------------------------------

Fetch = Callable[[str], bytes]


def _is_url(uri: str) -> bool:
    return uri.startswith(("http://", "https://"))


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


class _Resolver:
    """Finds what a `$ref` points at, loading other documents through `fetch` only."""

    def __init__(
        self, root: dict, root_uri: str, fetch: Fetch | None, max_bytes: int, spec_version: str
    ):
        self.documents = {root_uri: root}
        self.root_uri = root_uri
        self.fetch = fetch
        self.max_bytes = max_bytes
        self.schema_memo: dict[tuple[int, str, str], object] = {}
        self.node_memo: dict[tuple[int, int], tuple[object, object]] = {}
        self.size_memo: dict[int, tuple[object, int]] = {}
        self.ref_limit = REF_DEPTHS[0]
        self.spec_version = spec_version

    def target_uri(self, ref: str, doc_uri: str, where: str) -> tuple[str, str]:
        """(document uri, json pointer) of a reference, or a SpecError if it is not allowed."""
        if not isinstance(ref, str):
            raise SpecError(f"$ref at {where} is not a string")
        location, _, pointer = ref.partition("#")
        if not location:
            return doc_uri, unquote(pointer)
        scheme = urlsplit(location).scheme.lower()
        if scheme and scheme not in ("http", "https"):
            raise SpecError(
                f"$ref {ref!r} at {where} is refused: {scheme}: references are never read"
            )
        if self.fetch is None:
            raise SpecError(
                f"$ref {ref!r} at {where} points to another document; such references are "
                "resolved only when importing from a URL on the same origin or from a local "
                "folder"
            )
        if _is_url(doc_uri):
            target = urljoin(doc_uri, location)
            if _origin(target) != _origin(self.root_uri):
                raise SpecError(
                    f"$ref {ref!r} at {where} is refused: it points to another origin "
                    f"({_origin(target)[1]})"
                )
        else:
            if scheme or location.startswith("//"):
                raise SpecError(
                    f"$ref {ref!r} at {where} is refused: a local import reads only relative files"
                )
            target = posixpath.normpath(posixpath.join(posixpath.dirname(doc_uri), location))
        return target, unquote(pointer)

    def document(self, uri: str, ref: str, where: str) -> dict:
        if uri in self.documents:
            return self.documents[uri]
        if len(self.documents) > MAX_EXTERNAL_DOCUMENTS:
            raise SpecError(
                f"$ref {ref!r} at {where}: the spec spans more than {MAX_EXTERNAL_DOCUMENTS} files"
            )
        try:
            data = self.fetch(uri)
        except SpecError as exc:
            raise SpecError(f"$ref {ref!r} at {where} cannot be read: {exc}") from None
        self.documents[uri] = load_document(data, max_bytes=self.max_bytes, where=f"{ref!r}")
        return self.documents[uri]

    def follow(self, ref: str, doc_uri: str, where: str) -> tuple[object, str, str]:
        """The node a reference points to, its document and a key naming it uniquely."""
        uri, pointer = self.target_uri(ref, doc_uri, where)
        node = self.document(uri, ref, where)
        if pointer and not pointer.startswith("/"):
            raise SpecError(f"$ref {ref!r} at {where} has an unsupported fragment {pointer!r}")
        for token in pointer.split("/")[1:] if pointer else []:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise SpecError(f"$ref {ref!r} at {where} cannot be resolved: nothing at {token!r}")
        return node, uri, f"{uri}#{pointer}"

    def deref(self, node, doc_uri: str, where: str) -> tuple[object, str]:
        """Follow a chain of plain references (parameters, responses, path items)."""
        seen = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            node, doc_uri, key = self.follow(ref, doc_uri, where)
            if key in seen:
                raise SpecError(f"$ref {ref!r} at {where} is circular")
            seen.add(key)
        return node, doc_uri

    def schema(self, node, doc_uri: str, where: str):
        """A schema with its references inlined; a cycle keeps its `$ref` where it closes, and
        so do references nested deeper than the schema's size budget allows."""
        for limit in REF_DEPTHS:
            self.ref_limit = limit
            out = self._schema(node, doc_uri, where, (), 0)
            if self._size(out) <= SCHEMA_BYTES_BUDGET:
                break
        return out

    def _size(self, node) -> int:
        """Roughly the bytes of the expanded tree as JSON (shared subtrees count every time)."""
        if isinstance(node, str):
            return len(node) + 2
        if not isinstance(node, dict | list):
            return 6
        cached = self.size_memo.get(id(node))
        if cached is not None and cached[0] is node:
            return cached[1]
        if isinstance(node, dict):
            size = 2 + sum(len(k) + 4 + self._size(v) for k, v in node.items())
        else:
            size = 2 + sum(self._size(v) + 1 for v in node)
        self.size_memo[id(node)] = (node, size)
        return size

    def _schema(self, node, doc_uri: str, where: str, stack: tuple, depth: int):
        if isinstance(node, list):
            return [self._schema(v, doc_uri, where, stack, depth) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            uri, pointer = self.target_uri(ref, doc_uri, where)
            key = (uri, pointer)
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if key in stack or depth >= self.ref_limit:
                return node if not siblings else {"$ref": ref, **siblings}
            memo = (self.ref_limit, *key)
            if memo in self.schema_memo:
                resolved = self.schema_memo[memo]
            else:
                target, target_uri, _ = self.follow(ref, doc_uri, where)
                resolved = self._schema(target, target_uri, where, (*stack, key), depth + 1)
                self.schema_memo[memo] = resolved
            if siblings and isinstance(resolved, dict):
                extra = self._schema(siblings, doc_uri, where, stack, depth)
                return {**resolved, **extra}
            return resolved
        # Keyed by identity (the node is kept alive with its result, so ids are not reused).
        memo_key = (self.ref_limit, id(node))
        if not stack and memo_key in self.node_memo:
            return self.node_memo[memo_key][1]
        out = {}
        for k, v in node.items():
            if k in DATA_KEYS or k.startswith("x-") or not isinstance(v, dict | list):
                out[k] = v
            elif k == "properties" and isinstance(v, dict):
                out[k] = {
                    name: self._schema(prop, doc_uri, where, stack, depth)
                    for name, prop in v.items()
                }
            else:
                out[k] = self._schema(v, doc_uri, where, stack, depth)
        if not stack:
            self.node_memo[memo_key] = (node, out)
        return out


# Parsing -------------------------------------------------------------------------------------


def parse_spec(
    document: dict,
    *,
    spec_url: str = "",
    fetch: Fetch | None = None,
    max_bytes: int = 16 * 1024 * 1024,
) -> ImportResult:
    """Normalize a loaded OpenAPI/Swagger document into routes and an import report.

    `spec_url` is where the document came from (a URL or a local path); it resolves relative
    servers and relative `$ref`s. `fetch(uri) -> bytes` reads another document of the spec;
    without it such references are refused.
    """
    spec_version = _spec_version(document)
    swagger = spec_version.startswith("2")
    resolver = _Resolver(document, spec_url or "#root", fetch, max_bytes, spec_version)
    warnings: list[ImportWarning] = []
    try:
        routes = _routes(document, resolver, swagger, warnings)
    except RecursionError:
        raise SpecError("The spec's schemas are nested too deeply to import") from None
    _name_routes(routes, warnings)
    info = document.get("info") if isinstance(document.get("info"), dict) else {}
    webhooks = document.get("webhooks")
    if isinstance(webhooks, dict) and webhooks:
        warnings.append(
            ImportWarning(
                "notice",
                "webhooks",
                f"{len(webhooks)} webhook(s) describe calls the API makes, not routes: "
                f"{', '.join(sorted(map(str, webhooks))[:10])}",
            )
        )
    return ImportResult(
        spec_version=spec_version,
        title=str(info.get("title") or ""),
        version=str(info.get("version") or ""),
        description=str(info.get("description") or ""),
        base_url=_base_url(document, spec_url, swagger, warnings),
        routes=routes,
        warnings=warnings,
        document=document,
    )


def import_bytes(
    data: bytes, *, spec_url: str = "", fetch: Fetch | None = None, max_bytes: int
) -> ImportResult:
    """Load and parse in one step."""
    document = load_document(data, max_bytes=max_bytes)
    return parse_spec(document, spec_url=spec_url, fetch=fetch, max_bytes=max_bytes)


def _spec_version(document: dict) -> str:
    swagger = document.get("swagger")
    openapi = document.get("openapi")
    if swagger is not None:
        if str(swagger) != "2.0":
            raise SpecError(f"Swagger version {swagger!r} is not supported (2.0 is)")
        return "2.0"
    if openapi is None:
        raise SpecError(
            "The document is not an OpenAPI document: it has neither an 'openapi' nor a "
            "'swagger' field"
        )
    if not re.match(r"^3\.[01](\.\d+)?", str(openapi)):
        raise SpecError(f"OpenAPI version {openapi!r} is not supported (2.0, 3.0 and 3.1 are)")
    has_paths = isinstance(document.get("paths"), dict)
    if not has_paths and not str(openapi).startswith("3.1"):
        raise SpecError("The document has no 'paths': there is nothing to import")
    if not has_paths and not document.get("webhooks") and not document.get("components"):
        raise SpecError("The document has no 'paths': there is nothing to import")
    return str(openapi)


def _routes(
    document: dict, resolver: _Resolver, swagger: bool, warnings: list[ImportWarning]
) -> list[ImportedRoute]:
    paths = document.get("paths")
    if paths is None and swagger:
        raise SpecError("The document has no 'paths': there is nothing to import")
    if paths is None:
        return []
    if not isinstance(paths, dict):
        raise SpecError("'paths' must be an object mapping paths to operations")
    root_uri = resolver.root_uri
    routes = []
    cookie_auth = _cookie_security(document, swagger)
    for raw_path, raw_item in paths.items():
        path = str(raw_path)
        if path.startswith("x-"):
            continue
        where = f"paths[{path!r}]"
        problem = _odd_path(path)
        if problem:
            warnings.append(ImportWarning("skipped", path, problem))
            continue
        if "?" in path or "#" in path:
            # Kept on purpose: some APIs (Box) tell operations on one path apart this way.
            # The key stays the route's identity; a fragment is never sent, a query is.
            warnings.append(
                ImportWarning(
                    "notice",
                    path,
                    "The path key carries a query string or fragment; it is kept as written "
                    "(a query part is sent with every call, a fragment never is)",
                )
            )
        item, item_uri = resolver.deref(raw_item, root_uri, where)
        if not isinstance(item, dict):
            warnings.append(ImportWarning("skipped", path, "The path item is not an object"))
            continue
        path_params = item.get("parameters") or []
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            op_where = f"{where}.{method}"
            if not isinstance(operation, dict):
                warnings.append(
                    ImportWarning(
                        "skipped", f"{method.upper()} {path}", "The operation is not an object"
                    )
                )
                continue
            route = _route(
                document,
                resolver,
                swagger,
                method,
                path,
                item,
                item_uri,
                path_params,
                operation,
                op_where,
                warnings,
            )
            _report_unrepresentable(route, operation, document, cookie_auth, warnings)
            routes.append(route)
    return routes


def _odd_path(path: str) -> str:
    if not path.startswith("/"):
        return "The path does not start with '/'; it is not a route"
    if any(ch.isspace() for ch in path):
        return "The path contains white space; it is not a route"
    if path.count("{") != path.count("}"):
        return "The path has unbalanced braces"
    return ""


def _route(
    document,
    resolver,
    swagger,
    method,
    path,
    item,
    item_uri,
    path_params,
    operation,
    where,
    warnings,
) -> ImportedRoute:
    label = f"{method.upper()} {path}"
    merged: dict[tuple[str, str], dict] = {}
    for raw in [
        *(path_params if isinstance(path_params, list) else []),
        *(operation.get("parameters") or []),
    ]:
        param, param_uri = resolver.deref(raw, item_uri, where)
        if not isinstance(param, dict) or "name" not in param or "in" not in param:
            warnings.append(ImportWarning("skipped", label, "A parameter without name or 'in'"))
            continue
        merged[(str(param["name"]), str(param["in"]))] = (param, param_uri)
    if swagger:
        parameters, request_body = _swagger_parameters(
            document, operation, list(merged.values()), resolver, where
        )
        responses = _swagger_responses(document, operation, resolver, item_uri, where)
    else:
        parameters = [_parameter(p, uri, resolver, where) for p, uri in merged.values()]
        request_body = _request_body(operation.get("requestBody"), resolver, item_uri, where)
        responses = _responses(operation.get("responses"), resolver, item_uri, where)
    for param in parameters:
        if param["in"] == "path":
            param["required"] = True
    servers = operation.get("servers") or item.get("servers") or []
    input_assets, output_assets, projection = _ouro_assets(operation, label, warnings)
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
        servers=[_server_url(s, "") for s in servers if isinstance(s, dict) and s.get("url")],
        execution_mode=_execution_mode(operation, responses, label, warnings),
        input_assets=input_assets,
        output_assets=output_assets,
        pricing=_pricing(operation.get("x-ouro-pricing"), label, warnings),
        **projection,
    )


def _parameter(param: dict, uri: str, resolver: _Resolver, where: str) -> dict:
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


def _media_content(content, resolver: _Resolver, uri: str, where: str) -> dict:
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


def _request_body(raw, resolver: _Resolver, uri: str, where: str) -> dict | None:
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


def _responses(raw, resolver: _Resolver, uri: str, where: str) -> dict:
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


SWAGGER_SCHEMA_KEYS = (
    "type",
    "format",
    "items",
    "enum",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
)


def _swagger_schema(param: dict) -> dict:
    schema = {k: param[k] for k in SWAGGER_SCHEMA_KEYS if k in param}
    if schema.get("type") == "file":
        schema = {"type": "string", "format": "binary"}
    if isinstance(schema.get("items"), dict) and schema["items"].get("type") == "file":
        schema["items"] = {"type": "string", "format": "binary"}
    return schema


def _swagger_parameters(document, operation, params, resolver, where):
    consumes = operation.get("consumes") or document.get("consumes") or []
    consumes = [str(c) for c in consumes] if isinstance(consumes, list) else []
    parameters, form_fields, body = [], [], None
    for param, uri in params:
        location = param["in"]
        if location == "body":
            media_types = [c for c in consumes if c not in FORM_MEDIA_TYPES] or ["application/json"]
            schema = resolver.schema(param.get("schema") or {}, uri, where)
            body = {
                "required": bool(param.get("required")),
                "description": str(param.get("description") or ""),
                "content": {media: {"schema": schema} for media in media_types},
            }
        elif location == "formData":
            form_fields.append(param)
        else:
            schema = resolver.schema(_swagger_schema(param), uri, where)
            if param.get("collectionFormat") in ("csv", "ssv", "pipes", "multi"):
                schema = {**schema, "x-collection-format": param["collectionFormat"]}
            entry = {
                "name": str(param["name"]),
                "in": str(location),
                "required": bool(param.get("required")),
                "description": str(param.get("description") or ""),
                "schema": schema,
            }
            parameters.append(entry)
    if form_fields and body is None:
        has_file = any(
            _swagger_schema(f).get("format") == "binary"
            or (_swagger_schema(f).get("items") or {}).get("format") == "binary"
            for f in form_fields
        )
        media = (
            "multipart/form-data"
            if has_file or "multipart/form-data" in consumes
            else "application/x-www-form-urlencoded"
        )
        properties = {}
        for f in form_fields:
            prop = _swagger_schema(f)
            if f.get("description"):
                prop["description"] = str(f["description"])
            properties[str(f["name"])] = prop
        required = [str(f["name"]) for f in form_fields if f.get("required")]
        schema = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        body = {
            "required": bool(required),
            "description": "",
            "content": {media: {"schema": schema}},
        }
    return parameters, body


def _swagger_responses(document, operation, resolver, uri, where) -> dict:
    produces = operation.get("produces") or document.get("produces") or ["application/json"]
    produces = [str(p) for p in produces] if isinstance(produces, list) else ["application/json"]
    out = {}
    raw = operation.get("responses")
    if not isinstance(raw, dict):
        return out
    for code, value in raw.items():
        if str(code).startswith("x-"):
            continue
        response, response_uri = resolver.deref(value, uri, f"{where}.responses[{code}]")
        if not isinstance(response, dict):
            continue
        entry = {"description": str(response.get("description") or "")}
        if "schema" in response:
            schema = resolver.schema(response["schema"], response_uri, where)
            entry["content"] = {media: {"schema": schema} for media in produces}
        out[str(code)] = entry
    return out


# Servers -------------------------------------------------------------------------------------


def _server_url(server: dict, spec_url: str) -> str:
    url = str(server.get("url") or "")
    variables = server.get("variables") if isinstance(server.get("variables"), dict) else {}
    for name, variable in variables.items():
        if isinstance(variable, dict):
            value = variable.get("default")
            if value is None and variable.get("enum"):
                value = variable["enum"][0]
            url = url.replace("{" + str(name) + "}", str(value if value is not None else ""))
    if spec_url and _is_url(spec_url) and not _is_url(url):
        url = urljoin(spec_url, url or "/")
    return url.rstrip("/")


def _base_url(document: dict, spec_url: str, swagger: bool, warnings) -> str:
    origin = spec_url if _is_url(spec_url) else ""
    if swagger:
        schemes = [str(s) for s in document.get("schemes") or [] if isinstance(s, str)]
        scheme = "https" if "https" in schemes else (schemes[0] if schemes else "")
        if origin:
            parts = urlsplit(origin)
            scheme = scheme or parts.scheme
            host = str(document.get("host") or parts.netloc)
        else:
            scheme = scheme or "https"
            host = str(document.get("host") or "")
        base_path = str(document.get("basePath") or "")
        if not host:
            warnings.append(
                ImportWarning("notice", "host", "The spec names no host; give a base URL")
            )
            return base_path.rstrip("/")
        return f"{scheme}://{host}{base_path}".rstrip("/")
    servers = [s for s in document.get("servers") or [] if isinstance(s, dict) and s.get("url")]
    if servers:
        url = _server_url(servers[0], origin)
    else:
        url = urljoin(origin, "/").rstrip("/") if origin else ""
    if not _is_url(url):
        warnings.append(
            ImportWarning(
                "notice",
                "servers",
                "The spec gives no absolute server URL; give a base URL for the service",
            )
        )
    return url


# Ouro extensions -----------------------------------------------------------------------------


def _extensions(value) -> list[str]:
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    if not isinstance(value, list):
        return []
    return [str(v).strip().lstrip(".").lower() for v in value if str(v).strip()]


def asset_declarations(raw, what: str) -> tuple[dict, list[str]]:
    """Normalized `x-ouro-input-assets` / `x-ouro-output-assets` ("input" or "output"), with
    the problems found (declarations without a valid asset type are left out)."""
    allowed = ASSET_TYPES if what == "input" else OUTPUT_ASSET_TYPES
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        return {}, [f"x-ouro-{what}-assets is not an object; ignored"]
    out, problems = {}, []
    for key, decl in raw.items():
        if not isinstance(decl, dict) or decl.get("asset_type") not in allowed:
            problems.append(
                f"x-ouro-{what}-assets[{key!r}] has no valid asset_type "
                f"({', '.join(allowed)}); ignored"
            )
            continue
        entry = {"asset_type": decl["asset_type"]}
        if decl.get("primary") is not None:
            entry["primary"] = bool(decl["primary"])
        if decl.get("optional") is not None:
            entry["optional"] = bool(decl["optional"])
        extensions = _extensions(decl.get("file_extensions") or decl.get(f"{what}_file_extensions"))
        if extensions:
            entry["file_extensions"] = extensions
        input_filter = decl.get("input_filter")
        if what == "input" and input_filter:
            if input_filter in INPUT_FILTERS:
                entry["input_filter"] = input_filter
            else:
                problems.append(
                    f"x-ouro-input-assets[{key!r}]: input_filter {input_filter!r} is not one of "
                    f"{', '.join(INPUT_FILTERS)}; ignored"
                )
        for passthrough in ("asset_types", "when", "embedded_in", "role", "description"):
            if passthrough in decl:
                entry[passthrough] = decl[passthrough]
        out[str(key)] = entry
    return out, problems


def _primary(declarations: dict) -> dict | None:
    for decl in declarations.values():
        if decl.get("primary"):
            return decl
    return next(iter(declarations.values()), None)


# The legacy single-asset columns of a route.
PROJECTION_FIELDS = (
    "input_type",
    "input_filter",
    "input_file_extension",
    "output_type",
    "output_filter",
    "output_file_extension",
)


def asset_projection(
    inputs: dict, outputs: dict, *, input_filter: str = "", output_filter: str = ""
) -> dict:
    """The legacy single-asset columns: the projection of the primary declared assets."""
    primary_in, primary_out = _primary(inputs), _primary(outputs)
    projection = dict.fromkeys(PROJECTION_FIELDS, "")
    if primary_in:
        projection["input_type"] = primary_in["asset_type"]
        projection["input_filter"] = str(primary_in.get("input_filter") or input_filter)[:32]
        projection["input_file_extension"] = (primary_in.get("file_extensions") or [""])[0][:32]
    if primary_out:
        projection["output_type"] = primary_out["asset_type"]
        projection["output_filter"] = str(output_filter or "")[:32]
        projection["output_file_extension"] = (primary_out.get("file_extensions") or [""])[0][:32]
    return projection


def _ouro_assets(operation: dict, label: str, warnings) -> tuple[dict, dict, dict]:
    inputs, problems = asset_declarations(operation.get("x-ouro-input-assets"), "input")
    outputs, more = asset_declarations(operation.get("x-ouro-output-assets"), "output")
    warnings.extend(ImportWarning("notice", label, p) for p in [*problems, *more])
    legacy_in = operation.get("x-ouro-input-asset-type")
    legacy_in_filter = operation.get("x-ouro-input-asset-filter")
    if legacy_in_filter is not None and legacy_in_filter not in INPUT_FILTERS:
        warnings.append(
            ImportWarning(
                "notice", label, f"x-ouro-input-asset-filter {legacy_in_filter!r} is not known"
            )
        )
        legacy_in_filter = None
    legacy_in_ext = _extensions(operation.get("x-ouro-input-file-extension"))
    if not inputs and legacy_in in ASSET_TYPES:
        entry = {"asset_type": legacy_in, "primary": True}
        if legacy_in_filter:
            entry["input_filter"] = str(legacy_in_filter)
        if legacy_in_ext:
            entry["file_extensions"] = legacy_in_ext
        # Legacy routes received their single input under the asset type's name.
        inputs = {legacy_in: entry}
    legacy_out = operation.get("x-ouro-output-asset-type")
    if not outputs and legacy_out in OUTPUT_ASSET_TYPES:
        outputs = {legacy_out: {"asset_type": legacy_out, "primary": True}}
    projection = asset_projection(
        inputs,
        outputs,
        input_filter=str(legacy_in_filter or ""),
        output_filter=str(operation.get("x-ouro-output-asset-filter") or ""),
    )
    return inputs, outputs, projection


def _execution_mode(operation: dict, responses: dict, label: str, warnings) -> str:
    declared = operation.get("x-ouro-execution-mode")
    if declared in ("sync", "async"):
        return declared
    if declared is not None:
        warnings.append(
            ImportWarning(
                "notice",
                label,
                f"x-ouro-execution-mode {declared!r} is neither sync nor async; using the default",
            )
        )
    success = [code for code in responses if code.startswith("2")]
    return "async" if success == ["202"] else "sync"


def _pricing(raw, label: str, warnings) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or raw.get("model") not in ("per_call", "per_second", "free"):
        warnings.append(
            ImportWarning(
                "notice", label, "x-ouro-pricing needs model per_call, per_second or free; ignored"
            )
        )
        return {}
    pricing = {"model": raw["model"]}
    try:
        if raw.get("unit_cost") is not None:
            pricing["unit_cost"] = float(raw["unit_cost"])
        if raw.get("max_billable_seconds") is not None:
            pricing["max_billable_seconds"] = int(raw["max_billable_seconds"])
    except (TypeError, ValueError):
        warnings.append(ImportWarning("notice", label, "x-ouro-pricing has a non-numeric cost"))
        return {}
    pricing["currency"] = str(raw.get("currency") or "usd").lower()
    return pricing


# The import report -----------------------------------------------------------------------------


def _cookie_security(document: dict, swagger: bool) -> set[str]:
    if swagger:
        schemes = document.get("securityDefinitions") or {}
    else:
        schemes = (document.get("components") or {}).get("securitySchemes") or {}
    if not isinstance(schemes, dict):
        return set()
    return {
        str(name)
        for name, scheme in schemes.items()
        if isinstance(scheme, dict)
        and scheme.get("type") == "apiKey"
        and scheme.get("in") == "cookie"
    }


def _is_file_schema(schema) -> bool:
    return isinstance(schema, dict) and schema.get("format") in ("binary", "base64")


def _report_unrepresentable(route: ImportedRoute, operation, document, cookie_auth, warnings):
    label = f"{route.method} {route.path}"

    def flag(message: str) -> None:
        warnings.append(ImportWarning("unrepresentable", label, message))

    cookies = [p["name"] for p in route.parameters if p["in"] == "cookie"]
    if cookies:
        flag(f"Cookie parameters ({', '.join(cookies)}) cannot be sent from the run form")
    security = operation.get("security", document.get("security")) or []
    used = {str(name) for req in security if isinstance(req, dict) for name in req}
    if used & cookie_auth:
        flag("The operation authenticates with a cookie, which the platform does not send")
    for param in route.parameters:
        if "content_type" in param:
            flag(f"Parameter {param['name']!r} is serialized as {param['content_type']}")
    body = route.request_body
    if not body:
        return
    content = body.get("content") or {}
    supported = [
        m for m in content if m.split(";")[0] in FORM_MEDIA_TYPES or "json" in m.split(";")[0]
    ]
    if content and not supported:
        flag(f"The request body is {', '.join(content)}; the run form sends JSON or form fields")
    for media, entry in content.items():
        schema = entry.get("schema") or {}
        if not isinstance(schema, dict):
            continue
        if media.split(";")[0] in FORM_MEDIA_TYPES:
            props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
            for name, prop in props.items():
                if not isinstance(prop, dict):
                    continue
                if any(k in prop for k in ("oneOf", "anyOf")):
                    flag(f"Form field {name!r} is a oneOf/anyOf choice, shown as free text")
                items = prop.get("items")
                if prop.get("type") == "array" and _is_file_schema(items):
                    flag(f"Form field {name!r} is an array of files; the form sends one file")
                if prop.get("type") == "object" or "properties" in prop:
                    flag(f"Form field {name!r} is a nested object, sent as JSON text")
            if any(k in schema for k in ("oneOf", "anyOf")):
                flag(f"The {media} body is a oneOf/anyOf choice the form cannot offer")
        elif any(k in schema for k in ("oneOf", "anyOf")):
            flag("The JSON body is a oneOf/anyOf choice; the form offers a JSON editor for it")


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
