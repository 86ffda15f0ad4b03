"""Route inputs and outputs as assets: the functions the execution engine calls.

The engine calls `input_assets_resolve` before creating an action (a mismatch is an error
before anything is sent upstream), `input_assets_inject` when building the upstream body, and
`output_assets_store` when a response (sync or callback) arrives.
"""

import base64
import binascii
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from apps.assets.filetypes import declaration_mismatch
from apps.assets.models import Asset, Dataset, File, Visibility
from apps.assets.selectors import asset_can_view, asset_concrete
from apps.assets.services import (
    AssetError,
    Owner,
    dataset_create,
    file_create,
    signed_download_url,
)
from apps.assets.tabular import coerce_rows

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
    rows = list(dataset.rows.values_list("data", flat=True)[:MAX_INJECTED_ROWS])
    return {"id": str(dataset.pk), "name": dataset.name, "data": rows}


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


# Outputs --------------------------------------------------------------------------------------


def _output_visibility(action) -> str:
    output = (action.metadata or {}).get("output") or {}
    wanted = output.get("visibility") if isinstance(output, dict) else None
    return wanted if wanted in Visibility.values else Visibility.PRIVATE


def _create_output(*, owner: Owner, asset_type: str, name: str, value: Any, visibility: str):
    if not isinstance(value, dict):
        raise AssetError(f"expected an object for a {asset_type} output")
    title = str(value.get("name") or value.get("filename") or name)[:200]
    if asset_type == "file":
        encoded = value.get("base64")
        if not isinstance(encoded, str):
            raise AssetError("a file output needs `base64`")
        if "," in encoded[:100] and encoded.startswith("data:"):
            encoded = encoded.split(",", 1)[1]
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise AssetError("`base64` is not valid base64") from None
        file_name = str(value.get("filename") or value.get("name") or name)
        return file_create(
            owner=owner,
            name=title,
            file_name=file_name,
            content=content,
            visibility=visibility,
            source="api",
        )
    if asset_type == "dataset":
        try:
            rows = coerce_rows(value.get("data", value.get("rows")))
        except ValueError as exc:
            raise AssetError(f"a dataset output needs `data`: {exc}") from None
        return dataset_create(
            owner=owner, name=title, rows=rows, visibility=visibility, source="api"
        )[0]
    if asset_type == "post":
        return _create_post_output(owner=owner, title=title, value=value, visibility=visibility)
    raise AssetError(f"outputs of type {asset_type!r} are not supported")


def _create_post_output(*, owner: Owner, title: str, value: dict, visibility: str):
    # Imported here: the posts app builds on the assets app. Its PostError is an AssetError.
    from apps.posts.services import post_create

    content = value.get("content")
    if isinstance(content, dict):
        content = {"text": content.get("text") or "", "json": content.get("json")}
    elif not isinstance(content, str):
        raise AssetError("a post output needs `content`")
    return post_create(
        user=owner.user,
        org=owner.org,
        team=owner.team,
        name=title,
        content=content,
        visibility=visibility,
        source="api",
    )


def _output_reference(asset, value: Any) -> dict:
    """What the stored response keeps of an output: the asset's identity, no payload bytes."""
    kept = {k: v for k, v in value.items() if k != "base64"} if isinstance(value, dict) else {}
    if isinstance(asset, Dataset):
        kept.pop("data", None)
        kept.pop("rows", None)
        kept["row_count"] = asset.row_count
    if isinstance(asset, File):
        kept.update(type=asset.content_type, extension=asset.extension, size=asset.size)
    return {**kept, "id": str(asset.pk), "asset_type": asset.asset_type, "name": asset.name}


def output_assets_store(*, action, response: Any) -> Any:
    """Turn declared output keys of a response into assets linked to the action.

    The assets belong to the caller. Returns the response to store (without base64 payloads).
    Calling it again for the same action changes nothing: outputs already linked are kept.
    """
    from apps.actions.models import ActionAsset

    declarations: dict = action.route.output_assets or {}
    if not declarations or not isinstance(response, dict):
        return response
    owner = Owner(user=action.user, org=action.org, team=action.team)
    visibility = _output_visibility(action)
    present = [n for n in declarations if response.get(n) is not None]
    primary = next((n for n in present if declarations[n].get("primary")), None)
    primary = primary or (present[0] if len(present) == 1 else None)
    cleaned = dict(response)
    for name in present:
        existing = _linked_output(action, name)
        if existing is not None:
            cleaned[name] = _output_reference(existing, response[name])
            continue
        asset_type = declarations[name].get("asset_type") or "file"
        try:
            with transaction.atomic():
                asset = _create_output(
                    owner=owner,
                    asset_type=asset_type,
                    name=name,
                    value=response[name],
                    visibility=visibility,
                )
                ActionAsset.objects.create(
                    action=action,
                    asset_id=asset.pk,
                    role=ActionAsset.Role.OUTPUT,
                    name=name,
                    is_primary=name == primary,
                )
        except AssetError as exc:
            action.log_system(f"Output {name!r} was not stored: {exc.message}", level="warning")
            if isinstance(response[name], dict) and "base64" in response[name]:
                cleaned[name] = {k: v for k, v in response[name].items() if k != "base64"}
            continue
        except IntegrityError:
            # A concurrent delivery of the same result linked this output first: keep its.
            asset = _linked_output(action, name)
        cleaned[name] = _output_reference(asset, response[name])
    return cleaned


def _linked_output(action, name: str):
    from apps.actions.models import ActionAsset

    link = (
        ActionAsset.objects.filter(action=action, role=ActionAsset.Role.OUTPUT, name=name)
        .select_related("asset")
        .first()
    )
    return (asset_concrete(link.asset) or link.asset) if link else None
