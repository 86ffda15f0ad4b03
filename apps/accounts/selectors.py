"""Reads for users and organizations."""

from django.db.models import QuerySet

from apps.accounts.models import PERSONAL_ORG_ID, Membership, Organization, User


def organizations_for_user(*, user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(memberships__user=user).order_by("name")


def membership_for(*, user: User, org_id) -> Membership | None:
    return Membership.objects.filter(user=user, org_id=org_id).select_related("org").first()


def user_can_use_org(*, user: User, org_id) -> bool:
    """Whether the user may act in an organization context (the personal one is everyone's)."""
    if str(org_id) == str(PERSONAL_ORG_ID):
        return True
    return Membership.objects.filter(user=user, org_id=org_id).exists()
