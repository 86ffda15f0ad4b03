"""The one place that decides who may see and who may change an asset.

Every surface (pages, API, embeds, SDK and MCP calls) goes through these selectors.

- public: anyone may see it.
- private: the owner and the users it is shared with.
- organization: members of its organization (in the personal context: the owner only).
- inherit: follows its parent (a route follows its service); with no parent, private.

Changing an asset needs ownership, a write/admin share, or the admin role in its organization.
"""

from django.db.models import Q, QuerySet

from apps.accounts.models import PERSONAL_ORG_ID, Membership, Role
from apps.assets.models import Asset, AssetShare, Visibility

WRITE_ROLES = (Role.WRITE, Role.ADMIN)


def _visible_q(user, prefix: str = "") -> Q:
    """Visibility of the row reached through `prefix` by its own (non-inherited) setting."""
    p = prefix
    public = Q(**{f"{p}visibility": Visibility.PUBLIC})
    if user is None or not user.is_authenticated:
        return public
    member_orgs = Membership.objects.filter(user=user).values("org_id")
    shared = AssetShare.objects.filter(user=user).values("asset_id")
    return (
        public
        | Q(**{f"{p}user": user})
        | Q(**{f"{p}id__in": shared})
        | (
            Q(**{f"{p}visibility": Visibility.ORGANIZATION, f"{p}org_id__in": member_orgs})
            & ~Q(**{f"{p}org_id": PERSONAL_ORG_ID})
        )
    )


def _personal_q(user, prefix: str = "") -> Q:
    """Owner or shared with: access that no visibility setting takes away."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    shared = AssetShare.objects.filter(user=user).values("asset_id")
    return Q(**{f"{prefix}user": user}) | Q(**{f"{prefix}id__in": shared})


def visible_q(user, prefix: str = "") -> Q:
    """A filter for assets (reached through `prefix`) the user may see, resolving `inherit`."""
    inherit = Q(**{f"{prefix}visibility": Visibility.INHERIT})
    from_parent = Q(**{f"{prefix}parent__isnull": False}) & _visible_q(user, f"{prefix}parent__")
    return (~inherit & _visible_q(user, prefix)) | (
        inherit & (_personal_q(user, prefix) | from_parent)
    )


def assets_visible_to(*, user, queryset: QuerySet | None = None) -> QuerySet:
    qs = queryset if queryset is not None else Asset.objects.all()
    return qs.filter(visible_q(user)).filter(archived_at__isnull=True)


def _share_role(user, asset: Asset) -> str | None:
    share = AssetShare.objects.filter(asset_id=asset.pk, user=user).only("role").first()
    return share.role if share else None


def asset_can_view(*, user, asset: Asset) -> bool:
    if asset.archived_at is not None:
        return False
    visibility = asset.effective_visibility
    if visibility == Visibility.PUBLIC:
        return True
    if user is None or not user.is_authenticated:
        return False
    if asset.user_id == user.pk:
        return True
    if _share_role(user, asset) is not None:
        return True
    holder = asset.parent if asset.visibility == Visibility.INHERIT and asset.parent_id else asset
    if holder.user_id == user.pk or (holder is not asset and _share_role(user, holder) is not None):
        return True
    if visibility == Visibility.ORGANIZATION and holder.org_id != PERSONAL_ORG_ID:
        return Membership.objects.filter(user=user, org_id=holder.org_id).exists()
    return False


def asset_can_edit(*, user, asset: Asset) -> bool:
    if user is None or not user.is_authenticated or asset.archived_at is not None:
        return False
    if asset.user_id == user.pk:
        return True
    if _share_role(user, asset) in WRITE_ROLES:
        return True
    if (
        asset.parent_id
        and asset.visibility == Visibility.INHERIT
        and asset_can_edit(user=user, asset=asset.parent)
    ):
        return True
    if asset.org_id != PERSONAL_ORG_ID:
        return Membership.objects.filter(user=user, org_id=asset.org_id, role=Role.ADMIN).exists()
    return False


def asset_is_admin(*, user, asset: Asset) -> bool:
    """Owner or organization admin: may see every run of a route, delete, re-share."""
    if user is None or not user.is_authenticated:
        return False
    if asset.user_id == user.pk:
        return True
    if (
        asset.org_id != PERSONAL_ORG_ID
        and Membership.objects.filter(user=user, org_id=asset.org_id, role=Role.ADMIN).exists()
    ):
        return True
    return _share_role(user, asset) == Role.ADMIN
