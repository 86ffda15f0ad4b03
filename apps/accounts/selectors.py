"""Reads for users and organizations."""

import uuid
from dataclasses import dataclass

from django.db.models import Case, Q, QuerySet, When

from apps.accounts.actor_policy import join_refusal
from apps.accounts.models import (
    PERSONAL_ORG_ID,
    JoinPolicy,
    Membership,
    Organization,
    Role,
    Team,
    TeamBan,
    TeamJoinRequest,
    TeamMembership,
    User,
)


def organizations_for_user(*, user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(memberships__user=user).order_by("name")


def membership_for(*, user: User, org_id) -> Membership | None:
    return Membership.objects.filter(user=user, org_id=org_id).select_related("org").first()


def user_can_use_org(*, user: User, org_id) -> bool:
    """Whether the user may act in an organization context (the personal one is everyone's)."""
    if str(org_id) == str(PERSONAL_ORG_ID):
        return True
    return Membership.objects.filter(user=user, org_id=org_id).exists()


USER_SEARCH_LIMIT = 20


def user_by_name_or_id(name_or_id: str) -> User | None:
    """An active user by id or username (usernames are public: they address routes)."""
    try:
        found = User.objects.filter(pk=uuid.UUID(str(name_or_id)), is_active=True).first()
    except ValueError:
        found = None
    return found or User.objects.filter(username=name_or_id, is_active=True).first()


def users_matching(query: str) -> list[User]:
    """Active users whose username starts with `query`, then those that contain it."""
    query = query.strip()
    if not query:
        return []
    active = User.objects.filter(is_active=True)
    first = list(
        active.filter(username__istartswith=query).order_by("username")[:USER_SEARCH_LIMIT]
    )
    seen = {user.pk for user in first}
    rest = active.filter(username__icontains=query).exclude(pk__in=seen).order_by("username")
    return first + list(rest[: USER_SEARCH_LIMIT - len(first)])


@dataclass(frozen=True)
class TeamAccess:
    """A team as one user sees it: their role in it (None: not a member) and in its
    organization (None: not a member; the personal space counts everyone in)."""

    team: Team
    role: str | None
    org_role: str | None
    in_org: bool

    @property
    def can_moderate(self) -> bool:
        return Role.ADMIN in (self.role, self.org_role)

    @property
    def can_see(self) -> bool:
        team = self.team
        if team.visibility == Team.Visibility.PUBLIC or self.role or self.can_moderate:
            return True
        return team.visibility == Team.Visibility.ORGANIZATION and self.in_org


def _team_role(team: Team, *, org_role: str | None, in_org: bool, explicit: str | None):
    if team.is_default:
        return org_role or (Role.WRITE if in_org else None)
    return explicit


def _team_accesses(user: User, teams: QuerySet[Team]) -> list[TeamAccess]:
    teams = list(teams.select_related("org"))
    org_roles = dict(
        Membership.objects.filter(user=user, org_id__in={t.org_id for t in teams}).values_list(
            "org_id", "role"
        )
    )
    explicit = dict(
        TeamMembership.objects.filter(user=user, team__in=teams).values_list("team_id", "role")
    )
    found = []
    for team in teams:
        in_org = team.org_id == PERSONAL_ORG_ID or team.org_id in org_roles
        org_role = org_roles.get(team.org_id)
        role = _team_role(team, org_role=org_role, in_org=in_org, explicit=explicit.get(team.pk))
        found.append(TeamAccess(team=team, role=role, org_role=org_role, in_org=in_org))
    return found


def team_for_viewer(*, user: User, team_id) -> TeamAccess | None:
    """The team if the user may see it; None for a missing id and a hidden team alike."""
    accesses = _team_accesses(user, Team.objects.filter(pk=team_id))
    return accesses[0] if accesses and accesses[0].can_see else None


def teams_visible_to(
    *, user: User, org_id=None, joined: bool = False, public_only: bool = False
) -> list[TeamAccess]:
    """The teams of the user's organizations (and the personal space) they may see; `joined`
    keeps those they are in, `public_only` the public ones (which outsiders see too)."""
    org_ids = [*Membership.objects.filter(user=user).values_list("org_id", flat=True)]
    scope = Q(org_id__in=[*org_ids, PERSONAL_ORG_ID])
    if public_only:
        scope |= Q(visibility=Team.Visibility.PUBLIC)
    teams = Team.objects.filter(scope)
    if org_id is not None:
        teams = teams.filter(org_id=org_id)
    if public_only:
        teams = teams.filter(visibility=Team.Visibility.PUBLIC)
    ordered = teams.order_by(
        Case(When(org_id=PERSONAL_ORG_ID, then=1), default=0), "org__name", "-is_default", "name"
    )
    found = [access for access in _team_accesses(user, ordered) if access.can_see]
    if joined:
        found = [access for access in found if access.role]
    return found


def team_members(team: Team) -> list[tuple[User, str, object]]:
    """(user, role, since) of each member: the organization's members for its default team."""
    if team.is_default and team.org_id == PERSONAL_ORG_ID:
        return []
    if team.is_default:
        rows = Membership.objects.filter(org_id=team.org_id)
    else:
        rows = TeamMembership.objects.filter(team=team)
    rows = rows.select_related("user").order_by("created_at")
    return [(row.user, row.role, row.created_at) for row in rows]


def team_member_count(team: Team) -> int:
    if team.is_default and team.org_id == PERSONAL_ORG_ID:
        return User.objects.filter(is_active=True).count()
    if team.is_default:
        return Membership.objects.filter(org_id=team.org_id).count()
    return TeamMembership.objects.filter(team=team).count()


def team_pending_join_request(*, team: Team, user: User) -> TeamJoinRequest | None:
    return TeamJoinRequest.objects.filter(
        team=team, user=user, status=TeamJoinRequest.Status.PENDING
    ).first()


def team_join_requests(*, access: TeamAccess, user: User) -> QuerySet[TeamJoinRequest]:
    """Pending requests: all of them for a moderator, one's own for anyone else."""
    pending = TeamJoinRequest.objects.filter(
        team=access.team, status=TeamJoinRequest.Status.PENDING
    ).select_related("user")
    return (pending if access.can_moderate else pending.filter(user=user)).order_by("created_at")


def team_is_banned(*, team: Team, user: User) -> bool:
    return TeamBan.objects.filter(team=team, user=user).exists()


def organizations_discoverable() -> QuerySet[Organization]:
    """Organizations anyone may find: public ones that are open or take join requests."""
    return (
        Organization.objects.filter(
            visibility=Organization.Visibility.PUBLIC,
            join_policy__in=[JoinPolicy.OPEN, JoinPolicy.REQUEST],
        )
        .exclude(pk=PERSONAL_ORG_ID)
        .order_by("name")
    )


def organization_for_viewer(*, user: User, org_id) -> tuple[Organization, str | None] | None:
    """An organization with the user's role, if they belong to it or it is discoverable (or
    it is the personal space); None for a missing id and a hidden one alike."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return None
    membership = membership_for(user=user, org_id=org.pk)
    if membership is not None:
        return org, membership.role
    if org.is_personal or organizations_discoverable().filter(pk=org.pk).exists():
        return org, None
    return None


def organization_by_name_for_viewer(*, user: User, name: str):
    org = Organization.objects.filter(name=name).first()
    return organization_for_viewer(user=user, org_id=org.pk) if org else None


def team_actor_refusal(*, team: Team, user: User, who: str = "this account") -> str | None:
    """Why the team's actor type policy (its own, else its organization's) keeps `user` out, or
    None when it admits them."""
    return join_refusal(
        team.effective_actor_type_policy,
        actor_type=user.actor_type,
        verified=user.verified,
        who=who,
    )
