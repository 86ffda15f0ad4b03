"""The JSON shapes of the Ouro contract for users, organizations and teams."""

from apps.accounts.models import Organization, Team, TeamBan, TeamJoinRequest, User
from apps.accounts.selectors import (
    TeamAccess,
    team_is_banned,
    team_member_count,
    team_members,
    team_pending_join_request,
)


def iso(value) -> str | None:
    return value.isoformat() if value else None


def user_profile_dict(user: User) -> dict:
    return {
        "user_id": str(user.pk),
        "username": user.username,
        "name": user.get_full_name() or None,
        "actor_type": user.actor_type,
    }


def team_dict(team: Team) -> dict:
    return {"id": str(team.pk), "org_id": str(team.org_id), "name": team.name}


def _org_summary(org: Organization) -> dict:
    return {
        "id": str(org.pk),
        "name": org.name,
        "display_name": org.name,
        "visibility": org.visibility,
        "join_policy": org.join_policy,
        "source_policy": org.source_policy,
        "actor_type_policy": org.actor_type_policy,
    }


def organization_dict(org: Organization, *, role: str | None = None) -> dict:
    team = org.teams.filter(is_default=True).first()
    return {
        **_org_summary(org),
        "mission": org.mission or None,
        "default_team": team_dict(team) if team else None,
        "userRole": role,
        "membership": {"role": role} if role else None,
        "created_at": iso(org.created_at),
    }


def join_request_dict(join_request: TeamJoinRequest) -> dict:
    return {
        "id": str(join_request.pk),
        "team_id": str(join_request.team_id),
        "user_id": str(join_request.user_id),
        "user": user_profile_dict(join_request.user),
        "status": join_request.status,
        "message": join_request.message or None,
        "created_at": iso(join_request.created_at),
        "reviewed_at": iso(join_request.reviewed_at),
    }


def team_ban_dict(ban: TeamBan) -> dict:
    return {
        "id": str(ban.pk),
        "team_id": str(ban.team_id),
        "user_id": str(ban.user_id),
        "user": user_profile_dict(ban.user),
        "reason": ban.reason or None,
        "created_at": iso(ban.created_at),
    }


def _join_status(access: TeamAccess, pending: TeamJoinRequest | None, user: User) -> str:
    if access.role:
        return "member"
    if pending is not None:
        return "pending"
    if team_is_banned(team=access.team, user=user):
        return "banned"
    return "none"


def team_access_dict(access: TeamAccess, *, user: User, include_members: bool = False) -> dict:
    """A team as the client's `Team`: its policies (empty ones follow the organization), its
    organization, the caller's membership, join request and whether they may moderate."""
    team = access.team
    pending = None if access.role else team_pending_join_request(team=team, user=user)
    data = {
        **team_dict(team),
        "slug": team.name,
        "is_default": team.is_default,
        "visibility": team.visibility,
        "default_role": team.default_role,
        "join_policy": team.join_policy,
        "source_policy": team.source_policy or None,
        "actor_type_policy": team.actor_type_policy or None,
        "description": (
            {"text": team.description, "json": team.description_json} if team.description else None
        ),
        "organization": _org_summary(team.org),
        "userMembership": ({"user_id": str(user.pk), "role": access.role} if access.role else None),
        "userJoinRequest": join_request_dict(pending) if pending else None,
        "joinStatus": _join_status(access, pending, user),
        "join_request_pending": pending is not None,
        "canModerate": access.can_moderate,
        "memberCount": team_member_count(team),
        "created_at": iso(team.created_at),
        "last_updated": iso(team.last_updated),
    }
    if include_members:
        data["members"] = [
            {
                "user_id": str(member.pk),
                "user": user_profile_dict(member),
                "role": role,
                "added_at": iso(since),
            }
            for member, role, since in team_members(team)
        ]
    return data
