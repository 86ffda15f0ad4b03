"""The JSON shapes of the Ouro contract for users, organizations and teams."""

from django.utils.text import slugify

from apps.accounts.models import Organization, Team, User


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
