"""The Action JSON of the Ouro contract (CONTRACT §6), as the official clients read it."""

from apps.accounts.serializers import iso, user_profile_dict
from apps.actions.models import Action, ActionAsset
from apps.actions.selectors import action_asset_links
from apps.billing.models import UsageRecord
from apps.billing.serializers import usage_record_dict


def _asset_ref(link: ActionAsset) -> dict:
    asset = link.asset
    return {"id": str(asset.pk), "asset_type": asset.asset_type, "name": asset.name}


def _links(links: list[ActionAsset], role: str) -> list[dict]:
    links = sorted(
        (link for link in links if link.role == role),
        key=lambda link: (not link.is_primary, link.name),
    )
    return [
        {"name": link.name, "is_primary": link.is_primary, "asset": _asset_ref(link)}
        for link in links
    ]


def route_summary(action: Action) -> dict:
    route = action.route
    return {
        "id": str(route.pk),
        "name": route.name,
        "slug": route.slug,
        "parent_id": str(route.service_id),
        "method": route.method,
        "path": route.path,
        "execution_mode": route.execution_mode,
    }


def action_dict(action: Action) -> dict:
    # One pass over the (usually prefetched) links: a list of actions costs no query per row.
    links = action_asset_links(action)
    inputs = _links(links, ActionAsset.Role.INPUT)
    outputs = _links(links, ActionAsset.Role.OUTPUT)
    primary_in = next((i["asset"] for i in inputs if i["is_primary"]), None)
    primary_out = next((o["asset"] for o in outputs if o["is_primary"]), None)
    if primary_out is None and len(outputs) == 1:
        primary_out = outputs[0]["asset"]
    metadata = action.metadata or {}
    return {
        "id": str(action.pk),
        "route_id": str(action.route_id),
        "user_id": str(action.user_id),
        "user": user_profile_dict(action.user),
        "org_id": str(action.org_id),
        "team_id": str(action.team_id),
        "status": action.status,
        "response": action.response,
        "metadata": {
            "body": metadata.get("body"),
            "query": metadata.get("query") or {},
            "parameters": metadata.get("parameters") or {},
            "headers": metadata.get("headers") or {},
            "input_assets": metadata.get("input_assets") or {},
        },
        "error_message": action.error_message or None,
        "progress": action.progress,
        "status_message": action.status_message or None,
        "source": action.source,
        "input_assets": inputs,
        "output_assets": outputs,
        "input_asset": primary_in,
        "output_asset": primary_out,
        "input_asset_id": primary_in["id"] if primary_in else None,
        "output_asset_id": primary_out["id"] if primary_out else None,
        "route": route_summary(action),
        "created_at": iso(action.created_at),
        "started_at": iso(action.started_at),
        "ack_at": iso(action.ack_at),
        "upstream_status_code": action.upstream_status_code,
        "finished_at": iso(action.finished_at),
        "last_updated": iso(action.last_updated),
        "usage_record": _usage(action),
    }


def _usage(action: Action) -> dict | None:
    if not action.paid:
        return None
    try:
        record = action.usage_record
    except UsageRecord.DoesNotExist:
        return None
    return usage_record_dict(record)
