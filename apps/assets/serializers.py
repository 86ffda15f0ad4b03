"""The JSON shapes of the Ouro contract for users, organizations and the asset base."""

from django.utils.text import slugify

from apps.accounts.models import Organization, Team, User
from apps.assets.models import Asset


def iso(value) -> str | None:
    return value.isoformat() if value else None


def user_profile_dict(user: User) -> dict:
    return {
        "user_id": str(user.pk),
        "username": user.username,
        "name": user.get_full_name() or None,
    }


def team_dict(team: Team) -> dict:
    return {"id": str(team.pk), "org_id": str(team.org_id), "name": team.name}


def team_with_membership_dict(team: Team, *, user: User, role: str | None) -> dict:
    """A team as the client's `Team`: its organization, and the caller's role in it."""
    org = team.org
    return {
        **team_dict(team),
        "slug": slugify(team.name),
        "visibility": team.visibility,
        "organization": {"id": str(org.pk), "name": org.name, "display_name": org.name},
        "userMembership": {"user_id": str(user.pk), "role": role or "write"},
        "created_at": iso(team.created_at),
    }


def organization_dict(org: Organization, *, role: str | None = None) -> dict:
    team = org.teams.filter(is_default=True).first()
    return {
        "id": str(org.pk),
        "name": org.name,
        "display_name": org.name,
        "mission": org.mission or None,
        "default_team": team_dict(team) if team else None,
        "userRole": role,
        "membership": {"role": role} if role else None,
        "created_at": iso(org.created_at),
    }


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


def route_brief_dict(route) -> dict:
    """A route as a list entry (compatible routes, connections): asset fields plus `route`."""
    return {
        **asset_dict(route),
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
