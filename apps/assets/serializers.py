"""The JSON shapes of the Ouro contract for the asset base, files and datasets."""

from apps.accounts.serializers import iso, user_profile_dict
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
    return {
        "table_name": f"dataset_{dataset.pk.hex}",
        "schema": "datasets",
        "columns": [c["name"] for c in dataset.columns],
        "table_size": dataset.row_count,
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
        columns.append(column)
    return columns
