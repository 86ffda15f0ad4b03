"""The route asset JSON of the Ouro contract (CONTRACT §4 and the pricing fields of §8)."""

from apps.assets.serializers import asset_dict
from apps.routes.models import Route
from apps.routes.pricing import stored_unit_cost
from apps.services.importer import INPUT_FILTERS


def pricing_fields(pricing: dict) -> dict:
    """`x-ouro-pricing` ({model, unit_cost, currency, max_billable_seconds}) in contract terms.

    The unit cost is the stored exact Decimal, never a float: the JSON renderer writes it as a
    number, which is exact because a stored price has at most 15 significant digits.
    """
    model = (pricing or {}).get("model")
    unit_cost = stored_unit_cost(pricing)
    paid = model in ("per_call", "per_second") and bool(unit_cost)
    currency = (pricing or {}).get("currency") or "usd"
    fields = {
        "monetization": "pay-per-use" if paid else "none",
        "price_currency": currency if paid else None,
        "unit_cost": unit_cost if paid else None,
        "cost_unit": ("seconds" if model == "per_second" else "call") if paid else None,
        "cost_accounting": ("runtime" if model == "per_second" else "fixed") if paid else None,
        "max_billable_seconds": (pricing or {}).get("max_billable_seconds") if paid else None,
        "price_usd": None,
        "unit_cost_usd": None,
    }
    if paid and currency == "usd":
        fields["unit_cost_usd"] = unit_cost
        if model == "per_call":
            fields["price_usd"] = unit_cost
    return fields


def _declarations(declarations: dict) -> dict:
    out = {}
    for key, decl in (declarations or {}).items():
        decl = dict(decl)
        if decl.get("input_filter") not in (None, *INPUT_FILTERS):
            decl.pop("input_filter")
        out[key] = decl
    return out


def route_data(route: Route) -> dict:
    """The `route` object of a route asset."""
    extensions = []
    for decl in (route.input_assets or {}).values():
        if decl.get("primary") or len(route.input_assets) == 1:
            extensions = decl.get("file_extensions") or []
            break
    return {
        "method": route.method,
        "path": route.path,
        "name": route.name,
        "operation_id": route.operation_id or None,
        "summary": route.summary or None,
        "description": route.description or None,
        "parameters": route.parameters or [],
        "request_body": route.request_body,
        "responses": route.responses or {},
        "tags": route.tags or [],
        "deprecated": route.deprecated,
        "servers": route.servers or [],
        "execution_mode": route.execution_mode,
        "input_assets": _declarations(route.input_assets) or None,
        "output_assets": route.output_assets or None,
        "input_type": route.input_type or None,
        "input_filter": route.input_filter if route.input_filter in INPUT_FILTERS else None,
        "input_file_extension": route.input_file_extension or None,
        "input_file_extensions": extensions or None,
        "output_type": route.output_type or None,
        "output_filter": route.output_filter or None,
        "output_file_extension": route.output_file_extension or None,
        "total_timeout_seconds": route.total_timeout_seconds,
    }


def route_dict(route: Route) -> dict:
    """A route asset: the asset base, its service as parent, `route` and the pricing fields."""
    data = asset_dict(route)
    data["slug"] = route.get_absolute_url()  # the client splits /routes/<entity>/<name>
    data["parent_id"] = str(route.service_id)
    data["route"] = route_data(route)
    data.update(pricing_fields(route.pricing))
    data["effective_visibility"] = route.effective_visibility
    return data


def route_brief_dict(route) -> dict:
    """A route as a list entry (compatible routes, connections): asset fields plus `route`."""
    return {
        **asset_dict(route),
        "slug": route.get_absolute_url(),
        "route": {
            "method": route.method,
            "path": route.path,
            "description": route.summary or route.description,
            "execution_mode": route.execution_mode,
            "input_assets": route.input_assets or None,
            "output_assets": route.output_assets or None,
            "input_type": route.input_type or None,
            "input_filter": route.input_filter or None,
            "input_file_extension": route.input_file_extension or None,
            "output_type": route.output_type or None,
            "output_file_extension": route.output_file_extension or None,
        },
    }
