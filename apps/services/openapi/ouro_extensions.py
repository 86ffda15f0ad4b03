"""The Ouro extensions of an operation (`x-ouro-*`): the assets a route takes and makes, its
execution mode and its declared price.

`x-ouro-input-assets` / `x-ouro-output-assets` are the declarations; the older single-asset
keys (`x-ouro-input-asset-type` and friends) fill them when they are absent. The price is kept
as declared (its cost as exact text) and checked for shape only: billing parses it.
"""

import re

from apps.services.openapi.results import ImportWarning

ASSET_TYPES = ("file", "dataset", "post", "comment", "route")
OUTPUT_ASSET_TYPES = ("file", "dataset", "post", "comment")
INPUT_FILTERS = ("audio", "video", "image", "pdf", "3d model", "atomic structure")
PRICING_MODELS = ("per_call", "per_second", "free")


def _file_extensions(value) -> list[str]:
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
        extensions = _file_extensions(
            decl.get("file_extensions") or decl.get(f"{what}_file_extensions")
        )
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


def ouro_assets(operation: dict, label: str, warnings) -> tuple[dict, dict, dict]:
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
    legacy_in_ext = _file_extensions(operation.get("x-ouro-input-file-extension"))
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


def execution_mode(operation: dict, responses: dict, label: str, warnings) -> str:
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


def pricing(raw, label: str, warnings) -> dict:
    """The declared `x-ouro-pricing`, checked for shape only; no number is converted here.

    The cost stays exactly as declared, as text: a number read from JSON or YAML becomes its
    decimal text (`0.1` -> "0.1"), a string is kept as written. Billing parses it (into an
    exact decimal, refusing what is not a price) when the route is synced.
    """
    if raw is None:
        return {}
    if not isinstance(raw, dict) or raw.get("model") not in PRICING_MODELS:
        warnings.append(
            ImportWarning(
                "notice", label, "x-ouro-pricing needs model per_call, per_second or free; ignored"
            )
        )
        return {}
    declared = {"model": raw["model"]}
    cost = raw.get("unit_cost")
    if cost is not None:
        if isinstance(cost, bool) or not isinstance(cost, str | int | float):
            warnings.append(ImportWarning("notice", label, "x-ouro-pricing has a non-numeric cost"))
            return {}
        declared["unit_cost"] = cost if isinstance(cost, str) else str(cost)
    if raw.get("max_billable_seconds") is not None:
        try:
            declared["max_billable_seconds"] = int(raw["max_billable_seconds"])
        except (TypeError, ValueError):
            warnings.append(
                ImportWarning("notice", label, "x-ouro-pricing has a non-numeric duration")
            )
            return {}
    declared["currency"] = str(raw.get("currency") or "usd").lower()
    return declared
