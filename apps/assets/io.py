"""Route inputs as assets: the functions the execution engine calls.

The engine calls `input_assets_resolve` before creating an action (a mismatch is an error
before anything is sent upstream) and `input_assets_inject` when building the upstream body;
a response's outputs are stored by `apps.actions.outputs`.
"""

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from apps.assets.filetypes import declaration_mismatch
from apps.assets.models import Asset, Dataset, File
from apps.assets.selectors import asset_can_view, asset_concrete
from apps.assets.serializers import dataset_metadata_dict
from apps.assets.services import signed_download_url

log = logging.getLogger(__name__)

# Rows handed to an upstream for one dataset input; larger datasets are cut here.
MAX_INJECTED_ROWS = 10_000


class InputAssetError(Exception):
    """A requested input asset is missing, unreadable or of the wrong kind."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


@dataclass(frozen=True)
class ResolvedInput:
    name: str  # the declared body key
    asset: Asset
    payload: Any  # what the upstream receives at that key
    is_primary: bool = False


def _requested_id(value: Any) -> str | None:
    """An asset id as the caller gave it: a bare id or {"assetId"|"asset_id"|"id": ...}."""
    if isinstance(value, dict):
        value = value.get("assetId") or value.get("asset_id") or value.get("id")
    return str(value) if value else None


def _is_required(declaration: dict) -> bool:
    return not declaration.get("optional", False)


def file_payload(file: File) -> dict:
    return {
        "id": str(file.pk),
        "name": file.name,
        "filename": file.file_name,
        "url": signed_download_url(asset=file),
        "type": file.content_type,
        "extension": file.extension,
        "size": file.size,
    }


def dataset_payload(dataset: Dataset) -> dict:
    """A dataset as a route receives it: its rows, with the metadata the clients read."""
    rows = list(dataset.rows.values_list("data", flat=True)[:MAX_INJECTED_ROWS])
    return {
        "id": str(dataset.pk),
        "name": dataset.name,
        "description": dataset.description or "",
        "metadata": dataset_metadata_dict(dataset),
        "data": rows,
    }


def post_payload(post) -> dict:
    return {
        "id": str(post.pk),
        "name": post.name,
        "content": {"text": post.content_text, "json": post.content_json or None},
    }


def input_payload(asset) -> Any:
    if isinstance(asset, File):
        return file_payload(asset)
    if isinstance(asset, Dataset):
        return dataset_payload(asset)
    if asset.asset_type == "post":
        return post_payload(asset)
    return {"id": str(asset.pk), "name": asset.name, "asset_type": asset.asset_type}


def input_mismatch(declaration: dict, asset) -> str | None:
    """Why `asset` (a concrete file/dataset/post) does not fit `declaration`, or None."""
    return declaration_mismatch(
        declaration,
        asset_type=asset.asset_type,
        content_type=getattr(asset, "content_type", ""),
        extension=getattr(asset, "extension", ""),
    )


def input_assets_resolve(*, route, user, requested: dict[str, Any]) -> list[ResolvedInput]:
    """Check and resolve the caller's `{name: asset_id}` against the route's declarations.

    Each asset must exist, be readable by `user` and fit its declaration (type, filter,
    extension); a declared, required input must be given. Any problem raises InputAssetError
    naming the input.
    """
    declarations: dict = route.input_assets or {}
    requested = {k: v for k, v in (requested or {}).items() if _requested_id(v)}
    for name in requested:
        if name not in declarations:
            declared = ", ".join(declarations) or "none"
            raise InputAssetError(name, f"this route declares no such input (declared: {declared})")
    primary = next((n for n, d in declarations.items() if d.get("primary")), None)
    primary = primary or (next(iter(declarations)) if len(declarations) == 1 else None)
    resolved = []
    for name, declaration in declarations.items():
        raw_id = _requested_id(requested.get(name))
        if raw_id is None:
            if _is_required(declaration):
                raise InputAssetError(name, "this input asset is required")
            continue
        try:
            asset_id = uuid.UUID(raw_id)
        except ValueError:
            raise InputAssetError(name, f"{raw_id!r} is not an asset id") from None
        asset = Asset.objects.filter(pk=asset_id).select_related("parent").first()
        if asset is None or not asset_can_view(user=user, asset=asset):
            raise InputAssetError(name, f"no asset {asset_id} that you may read")
        concrete = asset_concrete(asset)
        if concrete is None:
            raise InputAssetError(name, f"no asset {asset_id} that you may read")
        problem = input_mismatch(declaration, concrete)
        if problem:
            raise InputAssetError(name, problem)
        resolved.append(
            ResolvedInput(
                name=name,
                asset=concrete,
                payload=input_payload(concrete),
                is_primary=name == primary,
            )
        )
    return resolved


def input_assets_inject(*, body: Any, resolved: list[ResolvedInput]) -> Any:
    """Place each resolved input at its declared body key."""
    if not resolved:
        return body
    body = dict(body or {})
    for item in resolved:
        body[item.name] = item.payload
    return body
