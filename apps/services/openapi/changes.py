"""What a re-sync changes in one route, field by field, and which changes break callers.

Pure: two routes' spec fields in (as stored: parameters, request_body, responses, ...), a list
of `Change`s out. A change is breaking when a call that worked before may now fail or read a
different answer: a new required input, an input removed or narrowed, a body media type or a
success response taken away, a different execution mode, address or price.
"""

from dataclasses import asdict, dataclass

from apps.services.openapi.ouro_extensions import PROJECTION_FIELDS

# How deep object properties are compared before a difference is just "the schema changed".
MAX_DEPTH = 4


@dataclass(frozen=True)
class Change:
    field: str  # the route field: parameters, request_body, responses, name, ...
    change: str  # in words: "query parameter 'limit' is now required"
    breaking: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def _type(schema) -> object:
    return schema.get("type") if isinstance(schema, dict) else None


def schema_changes(old, new, where: str, depth: int = 0) -> list[tuple[str, bool]]:
    """(text, breaking) for each difference between two schemas that matters to a caller."""
    if old == new:
        return []
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [(f"{where}: the schema changed", True)]
    found: list[tuple[str, bool]] = []
    if _type(old) != _type(new):
        found.append((f"{where}: type {_type(old) or 'any'} became {_type(new) or 'any'}", True))
    old_enum, new_enum = old.get("enum"), new.get("enum")
    if isinstance(old_enum, list) and isinstance(new_enum, list):
        gone = [v for v in old_enum if v not in new_enum]
        if gone:
            found.append((f"{where}: values no longer allowed: {_few(gone)}", True))
    elif new_enum is not None and old_enum is None:
        found.append((f"{where}: now limited to {_few(new_enum)}", True))
    for name in sorted(_required(new) - _required(old), key=str):
        found.append((f"{where}.{name} is now required", True))
    old_props = old.get("properties") if isinstance(old.get("properties"), dict) else {}
    new_props = new.get("properties") if isinstance(new.get("properties"), dict) else {}
    for name in old_props:
        if name not in new_props:
            found.append((f"{where}.{name} removed", True))
    for name in new_props:
        if name not in old_props:
            found.append((f"{where}.{name} added", False))
        elif depth < MAX_DEPTH:
            found.extend(
                schema_changes(old_props[name], new_props[name], f"{where}.{name}", depth + 1)
            )
    if not found:
        found.append((f"{where}: the schema changed", False))
    return found


def _required(schema: dict) -> set:
    required = schema.get("required")
    return {str(name) for name in required} if isinstance(required, list) else set()


def _few(values: list) -> str:
    shown = ", ".join(repr(v) for v in values[:5])
    return shown + (f" and {len(values) - 5} more" if len(values) > 5 else "")


def _parameters(old, new) -> list[Change]:
    def by_key(params) -> dict:
        return {
            (str(p.get("in")), str(p.get("name"))): p
            for p in (params if isinstance(params, list) else [])
            if isinstance(p, dict) and p.get("name")
        }

    before, after = by_key(old), by_key(new)
    changes = []
    for (where, name), param in after.items():
        label = f"{where} parameter {name!r}"
        previous = before.get((where, name))
        if previous is None:
            required = bool(param.get("required"))
            text = f"{label} added" + (", required" if required else "")
            changes.append(Change("parameters", text, required))
            continue
        if param.get("required") and not previous.get("required"):
            changes.append(Change("parameters", f"{label} is now required", True))
        elif previous.get("required") and not param.get("required"):
            changes.append(Change("parameters", f"{label} is now optional"))
        for text, breaking in schema_changes(previous.get("schema"), param.get("schema"), label):
            changes.append(Change("parameters", text, breaking))
        rest = {k: v for k, v in param.items() if k not in ("required", "schema")}
        if rest != {k: v for k, v in previous.items() if k not in ("required", "schema")}:
            changes.append(Change("parameters", f"{label}: its description or style changed"))
    for where, name in before:
        if (where, name) not in after:
            changes.append(Change("parameters", f"{where} parameter {name!r} removed", True))
    return changes


def _content(body) -> dict:
    content = body.get("content") if isinstance(body, dict) else None
    return content if isinstance(content, dict) else {}


def _schema_of(content: dict, media: str):
    entry = content.get(media)
    return entry.get("schema") if isinstance(entry, dict) else None


def _request_body(old, new) -> list[Change]:
    if old == new:
        return []
    if not isinstance(old, dict) or not old:
        required = isinstance(new, dict) and bool(new.get("required"))
        media = ", ".join(map(str, _content(new))) or "a body"
        return [Change("request_body", f"request body added ({media})", required)]
    if not isinstance(new, dict) or not new:
        return [Change("request_body", "request body removed", True)]
    changes = []
    if new.get("required") and not old.get("required"):
        changes.append(Change("request_body", "the request body is now required", True))
    before, after = _content(old), _content(new)
    for media in after:
        if media not in before:
            changes.append(Change("request_body", f"body media type {media} added"))
    for media in before:
        if media not in after:
            changes.append(Change("request_body", f"body media type {media} removed", True))
            continue
        old_schema, new_schema = _schema_of(before, media), _schema_of(after, media)
        for text, breaking in schema_changes(old_schema, new_schema, f"{media} body"):
            changes.append(Change("request_body", text, breaking))
    if not changes:
        changes.append(Change("request_body", "the body's description or examples changed"))
    return changes


def _responses(old, new) -> list[Change]:
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    changes = []
    for code in new:
        if code not in old:
            changes.append(Change("responses", f"response {code} added"))
    for code, response in old.items():
        success = str(code).startswith("2")
        if code not in new:
            changes.append(Change("responses", f"response {code} removed", success))
            continue
        if response == new[code]:
            continue
        before, after = _content(response), _content(new[code])
        found = []
        for media in before:
            if media not in after:
                found.append((f"response {code} no longer sends {media}", success))
                continue
            old_schema, new_schema = _schema_of(before, media), _schema_of(after, media)
            for text, breaking in schema_changes(old_schema, new_schema, f"response {code}"):
                found.append((text, breaking and success))
        for media in after:
            if media not in before:
                found.append((f"response {code} may also send {media}", False))
        if not found:
            found.append((f"response {code}: its description or examples changed", False))
        changes.extend(Change("responses", text, breaking) for text, breaking in found)
    return changes


def _assets(field: str, old, new) -> list[Change]:
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    changes = []
    what = "input" if field == "input_assets" else "output"
    for key, decl in new.items():
        if key not in old:
            required = what == "input" and not (isinstance(decl, dict) and decl.get("optional"))
            changes.append(Change(field, f"{what} asset {key!r} added", required))
        elif decl != old[key]:
            changes.append(Change(field, f"{what} asset {key!r} changed", True))
    for key in old:
        if key not in new:
            changes.append(Change(field, f"{what} asset {key!r} removed", what == "output"))
    return changes


def route_changes(old: dict, new: dict) -> list[Change]:
    """Every difference between a route's stored spec fields and an import's, in words."""
    changes: list[Change] = []
    for name in new:
        before, after = old.get(name), new[name]
        if before == after:
            continue
        if name == "parameters":
            changes.extend(_parameters(before, after))
        elif name == "request_body":
            changes.extend(_request_body(before, after))
        elif name == "responses":
            changes.extend(_responses(before, after))
        elif name in ("input_assets", "output_assets"):
            changes.extend(_assets(name, before, after))
        elif name == "name":
            changes.append(Change("name", f"renamed from {before!r} to {after!r}", True))
        elif name == "execution_mode":
            changes.append(Change(name, f"execution mode {before} became {after}", True))
        elif name == "pricing":
            changes.append(Change(name, "the declared price changed", True))
        elif name == "deprecated":
            changes.append(Change(name, "deprecated" if after else "no longer deprecated"))
        elif name not in PROJECTION_FIELDS:  # the projection follows the asset changes
            changes.append(Change(name, f"{name.replace('_', ' ')} changed"))
    return changes
