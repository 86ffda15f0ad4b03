"""The JSON shapes of the Ouro contract for the asset base, files and datasets."""

import uuid

from apps.accounts.serializers import iso, user_profile_dict
from apps.assets.market import sale_fields
from apps.assets.models import Asset


def asset_dict(asset: Asset) -> dict:
    return {
        "id": str(asset.pk),
        "user_id": str(asset.user_id),
        "user": user_profile_dict(asset.user),
        "org_id": str(asset.org_id),
        "team_id": str(asset.team_id),
        "parent_id": str(asset.parent_id) if asset.parent_id else None,
        "asset_type": asset.asset_type,
        "name": asset.name,
        "slug": asset.slug,
        "description": {"text": asset.description} if asset.description else None,
        "visibility": asset.visibility,
        "source": asset.source,
        "metadata": asset.metadata or {},
        "license_id": asset.license_id or None,
        "attribution": asset.attribution or {"originality": "original"},
        "created_at": iso(asset.created_at),
        "last_updated": iso(asset.last_updated),
        **sale_fields(asset),
    }


def file_metadata_dict(file) -> dict:
    return {
        "id": str(file.pk),
        "name": file.file_name,
        "path": file.storage_path,
        "fullPath": file.storage_path,
        "size": file.size,
        "type": file.content_type,
        "mimeType": file.content_type,
        "extension": file.extension,
        "bucket": "public-files" if file.effective_visibility == "public" else "files",
    }


def file_dict(file, *, preview: list | None = None) -> dict:
    return {**asset_dict(file), "metadata": file_metadata_dict(file), "preview": preview}


def dataset_metadata_dict(dataset) -> dict:
    refs = {c["name"]: c["ref"] for c in dataset.columns if c.get("ref")}
    enums = {c["name"]: {"values": c["enum"]} for c in dataset.columns if c.get("enum")}
    return {
        "table_name": f"dataset_{dataset.pk.hex}",
        "schema": "datasets",
        "columns": [c["name"] for c in dataset.columns],
        "table_size": dataset.row_count,
        **({"refs": refs} if refs else {}),
        **({"enum_columns": enums} if enums else {}),
        **({"key_columns": dataset.key_columns} if dataset.key_columns else {}),
    }


def dataset_dict(dataset, *, preview: list | None = None) -> dict:
    return {
        **asset_dict(dataset),
        "metadata": dataset_metadata_dict(dataset),
        "preview": preview,
    }


def dataset_column_dicts(dataset) -> list[dict]:
    columns = []
    for c in dataset.columns:
        column = {"name": c["name"], "type": c["type"], "is_nullable": c.get("is_nullable", True)}
        if c.get("label"):
            column["label"] = c["label"]
        if c.get("enum"):
            column.update(semantic_type="enum", enum_values=c["enum"])
        if c.get("ref"):
            column.update(semantic_type="reference", ref_kind=c["ref"]["kind"])
            if c["ref"].get("asset_type"):
                column["asset_type"] = c["ref"]["asset_type"]
        columns.append(column)
    return columns


def dataset_view_dict(view) -> dict:
    return {
        "id": str(view.pk),
        "dataset_id": str(view.dataset_id),
        "name": view.name,
        "description": view.description or None,
        "sql_query": view.sql_query,
        "config": view.config,
        "engine_type": "sqlite",
        "created_by": str(view.created_by_id) if view.created_by_id else None,
        "created_at": iso(view.created_at),
        "last_updated": iso(view.last_updated),
    }


def permission_dict(asset, *, user, role: str, created_at=None, granter=None) -> dict:
    """A role `user` holds on `asset` (the owner's admin role, or a share)."""
    return {
        "id": str(uuid.uuid5(asset.pk, str(user.pk))),
        "asset_id": str(asset.pk),
        "asset_type": asset.asset_type,
        "user_id": str(user.pk),
        "user": user_profile_dict(user),
        "org_id": str(asset.org_id),
        "role": role,
        "visibility": asset.visibility,
        "granter_id": str(granter.pk) if granter else None,
        "created_at": iso(created_at or asset.created_at),
        "last_updated": iso(created_at or asset.last_updated),
    }
