"""A run's declared outputs become assets: files and datasets here, other kinds (a post) through
the maker their app registers at start-up, since those apps build on this one."""

import base64
import binascii
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction

from apps.actions.models import ActionAsset
from apps.assets.models import Dataset, File, Visibility
from apps.assets.selectors import asset_concrete
from apps.assets.services import AssetError, Owner, dataset_create, file_create
from apps.assets.tabular import coerce_rows

# asset_type -> maker(*, owner, title, value, visibility) -> the new asset
_OUTPUT_MAKERS: dict[str, Callable[..., Any]] = {}
# asset_type -> prepare(value) -> the value the maker gets: its slow work (rendering a post),
# done before the transaction that stores the output.
_OUTPUT_PREPARERS: dict[str, Callable[[Any], Any]] = {}


def output_maker_register(
    asset_type: str, maker: Callable[..., Any], prepare: Callable[[Any], Any] | None = None
) -> None:
    _OUTPUT_MAKERS[asset_type] = maker
    if prepare is not None:
        _OUTPUT_PREPARERS[asset_type] = prepare


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
    maker = _OUTPUT_MAKERS.get(asset_type)
    if maker is not None:
        return maker(owner=owner, title=title, value=value, visibility=visibility)
    raise AssetError(f"outputs of type {asset_type!r} are not supported")


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
            value = response[name]
            if asset_type in _OUTPUT_PREPARERS:
                value = _OUTPUT_PREPARERS[asset_type](value)
            with transaction.atomic():
                asset = _create_output(
                    owner=owner,
                    asset_type=asset_type,
                    name=name,
                    value=value,
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
    link = (
        ActionAsset.objects.filter(action=action, role=ActionAsset.Role.OUTPUT, name=name)
        .select_related("asset")
        .first()
    )
    return (asset_concrete(link.asset) or link.asset) if link else None
