"""The JSON shapes of the Ouro contract for users, organizations and the asset base."""

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
