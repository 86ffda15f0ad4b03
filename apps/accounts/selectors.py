"""Reads for users and organizations."""

import uuid

from django.db.models import QuerySet

from apps.accounts.models import PERSONAL_ORG_ID, Membership, Organization, Team, User


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


def teams_for_user(*, user: User, org_id=None) -> list[tuple[Team, str | None]]:
    """The teams the user may publish to, with their role: every team of each organization
    they belong to, then the personal space's team (role None)."""
    memberships = Membership.objects.filter(user=user).select_related("org")
    if org_id is not None:
        memberships = memberships.filter(org_id=org_id)
    roles = {m.org_id: m.role for m in memberships}
    teams = (
        Team.objects.filter(org_id__in=roles).select_related("org").order_by("org__name", "name")
    )
    found = [(team, roles[team.org_id]) for team in teams]
    if org_id is None or str(org_id) == str(PERSONAL_ORG_ID):
        found += [
            (team, None) for team in Team.objects.filter(org_id=PERSONAL_ORG_ID, is_default=True)
        ]
    return found
