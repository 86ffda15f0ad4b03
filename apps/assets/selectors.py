"""The one place that decides who may see and who may change an asset.

Every surface (pages, API, embeds, SDK and MCP calls) goes through these selectors.

- public: anyone may see it.
- private: the owner and the users it is shared with.
- organization: members of its organization (in the personal context: the owner only).
- inherit: follows its parent (a route follows its service); with no parent, private.
- a draft post (never published) is seen only by its owner and the users it is shared with.
- monetized (a post, file or dataset for sale): read like a private one, and by its buyers;
  listed to everyone with its price (search, its type), so that it can be bought.
- a purchase lets its buyer read the asset for good.

Changing an asset needs ownership, a write/admin share, or the admin role in its organization.
"""

from django.db.models import F, Q, QuerySet

from apps.accounts.models import PERSONAL_ORG_ID, Membership, Role
from apps.assets.filetypes import declaration_mismatch, declared_extensions, declared_types
from apps.assets.kinds import asset_kind, reference_kind
from apps.assets.market import MONETIZED, bought_ids, has_bought
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
        | Q(**{f"{p}id__in": bought_ids(user)})
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


def _drafts_hidden_q(user, model) -> Q:
    """Draft posts among `model` rows, unless the user owns them or holds a share."""
    if model is Asset:
        draft = Q(asset_type="post", post_detail__published_at__isnull=True)
    elif model is _kind_model("post"):
        draft = Q(published_at__isnull=True)
    else:
        return Q()
    return ~draft | _personal_q(user)


def _kind_model(asset_type: str) -> type | None:
    kind = asset_kind(asset_type)
    return kind.model if kind else None


def _is_draft(asset: Asset) -> bool:
    if asset.asset_type != "post":
        return False
    if type(asset) is _kind_model("post"):
        return asset.published_at is None
    return Asset.objects.filter(pk=asset.pk, post_detail__published_at__isnull=True).exists()


def assets_visible_to(*, user, queryset: QuerySet | None = None, listed: bool = False) -> QuerySet:
    """The assets the user may see; with `listed`, also those for sale (found, not read)."""
    qs = queryset if queryset is not None else Asset.objects.all()
    visible = visible_q(user) | Q(visibility=MONETIZED) if listed else visible_q(user)
    return qs.filter(visible, _drafts_hidden_q(user, qs.model), archived_at__isnull=True)


def _share_role(user, asset: Asset) -> str | None:
    share = AssetShare.objects.filter(asset_id=asset.pk, user=user).only("role").first()
    return share.role if share else None


def asset_can_view(*, user, asset: Asset) -> bool:
    if asset.archived_at is not None:
        return False
    if _is_draft(asset):
        authenticated = user is not None and user.is_authenticated
        return authenticated and (asset.user_id == user.pk or _share_role(user, asset) is not None)
    visibility = asset.effective_visibility
    if visibility == Visibility.PUBLIC:
        return True
    if user is None or not user.is_authenticated:
        return False
    if asset.user_id == user.pk:
        return True
    if _share_role(user, asset) is not None or has_bought(user, asset):
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


# Reads for files, datasets, chaining and lineage --------------------------------------------------


def asset_concrete(asset: Asset):
    """The file, dataset, route or post behind an asset row."""
    model = _kind_model(asset.asset_type)
    if model is None or isinstance(asset, model):
        return asset
    return model.objects.filter(pk=asset.pk).first()


def asset_for_sale(*, asset_id, model=Asset):
    """The asset of `model` with this id when it is for sale (whoever asks), else None."""
    return (
        model.objects.filter(pk=asset_id, visibility=MONETIZED, archived_at__isnull=True)
        .filter(_drafts_hidden_q(None, model))
        .select_related("user")
        .first()
    )


def asset_for_viewer(*, user, asset_id, model=Asset):
    """The asset of `model` with this id when `user` may see it, else None."""
    asset = model.objects.filter(pk=asset_id).select_related("parent", "user").first()
    if asset is None or not asset_can_view(user=user, asset=asset):
        return None
    return asset


def dataset_rows_page(*, dataset, limit: int, offset: int) -> tuple[list[dict], bool]:
    rows = list(dataset.rows.values_list("data", flat=True)[offset : offset + limit + 1])
    return rows[:limit], len(rows) > limit


def file_preview_rows(*, file, limit: int = 12) -> list[dict] | None:
    """The first rows of a CSV file, for previews; None for other files."""
    from apps.assets.services import file_read
    from apps.assets.tabular import rows_from_csv

    if file.extension != "csv" and file.content_type != "text/csv":
        return None
    try:
        return rows_from_csv(file_read(file=file).decode("utf-8-sig", "replace"), limit=limit)
    except (OSError, ValueError):
        return None


def assets_compatible_with(*, user, declaration: dict, limit: int, scan: int) -> list[Asset]:
    """The user's visible assets that fit an input declaration, newest first.

    Types and file extensions are filtered in the database; the rest of the rule
    (`declaration_mismatch`, e.g. an input filter) is applied to at most `scan` candidates.
    """
    types = declared_types(declaration)
    extensions = declared_extensions(declaration)
    fits = Q(asset_type__in=[t for t in types if t != "file"])
    if "file" in types:
        files = Q(asset_type="file")
        if extensions:
            files &= Q(file_detail__extension__in=extensions)
        fits |= files
    candidates = (
        assets_visible_to(user=user)
        .filter(fits)
        .annotate(
            file_content_type=F("file_detail__content_type"),
            file_extension=F("file_detail__extension"),
        )
        .order_by("-created_at", "-id")
        .only("id", "name", "asset_type", "created_at")[:scan]
    )
    compatible = [
        asset
        for asset in candidates
        if not declaration_mismatch(
            declaration,
            asset_type=asset.asset_type,
            content_type=asset.file_content_type or "",
            extension=asset.file_extension or "",
        )
    ]
    return compatible[:limit]


SEARCH_SCOPES = ("personal", "org", "shared", "purchased", "global", "all")


def _in_scope(qs: QuerySet, *, user, scope: str | None, org_id) -> QuerySet:
    """personal: the user's own; org: the organization acted in (in the personal context, the
    organizations the user belongs to); shared: others' assets shared with the user;
    purchased: the assets the user bought; global and all: everything the user may see or buy."""
    if scope in (None, "", "global", "all"):
        return qs
    if not user.is_authenticated:
        return qs.none()
    if scope == "purchased":
        return qs.filter(id__in=bought_ids(user))
    if scope == "personal":
        return qs.filter(user=user)
    if scope == "shared":
        return qs.filter(shares__user=user).exclude(user=user).distinct()
    if org_id is not None:
        return qs.filter(org_id=org_id)
    member_orgs = Membership.objects.filter(user=user).values("org_id")
    return qs.filter(org_id__in=member_orgs).exclude(org_id=PERSONAL_ORG_ID)


def assets_search(
    *,
    user,
    query: str = "",
    filters: dict | None = None,
    metadata_filters: dict | None = None,
    scope: str | None = None,
    org_id=None,
    sort: str | None = None,
) -> QuerySet:
    """Assets the user may see, narrowed by text, type, owner, organization and file filters.

    `scope` is one of SEARCH_SCOPES; `org_id` is the organization the request acts in (None
    in the personal context), which the "org" scope narrows to.
    """
    import uuid

    from apps.assets.filetypes import FILTERS

    qs = assets_visible_to(user=user, listed=True)
    filters = filters or {}
    query = (query or "").strip()
    if query:
        try:
            return qs.filter(pk=uuid.UUID(query))
        except ValueError:
            pass
        for word in query.split():
            qs = qs.filter(Q(name__icontains=word) | Q(description__icontains=word))
    asset_type = filters.get("asset_type")
    if asset_type:
        qs = qs.filter(asset_type__in=asset_type if isinstance(asset_type, list) else [asset_type])
    else:  # comments are found through what they are on, unless asked for by type
        qs = qs.exclude(asset_type="comment")
    for key in ("org_id", "team_id", "user_id", "visibility", "source"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    qs = _in_scope(qs, user=user, scope=scope, org_id=org_id)
    metadata_filters = metadata_filters or {}
    extension = metadata_filters.get("extension")
    if extension:
        extensions = extension if isinstance(extension, list) else [extension]
        qs = qs.filter(file_detail__extension__in=[str(e).lower() for e in extensions])
    file_type = metadata_filters.get("file_type")
    if file_type in FILTERS:
        prefix = {"pdf": "application/pdf", "csv": "text/csv", "json": "application/json"}
        qs = qs.filter(file_detail__content_type__startswith=prefix.get(file_type, f"{file_type}/"))
    order = {"updated": "-last_updated"}.get(sort or "", "-created_at")
    return qs.order_by(order, "-id")


WEB_PAGES = ("file", "dataset", "post", "service")  # /<type>s/<id>; a route's page has a name


def assets_referenced(*, user, ids, asset_type: str | None = None) -> dict:
    """{id: {kind, id, name, asset_type, web_url}} of the assets among `ids` that `user` may see."""
    from django.conf import settings

    queryset = Asset.objects.filter(pk__in=list(ids))
    if asset_type:
        queryset = queryset.filter(asset_type=asset_type)
    site = settings.SITE_URL.rstrip("/")
    return {
        asset.pk: {
            "kind": "asset",
            "id": str(asset.pk),
            "name": asset.name,
            "asset_type": asset.asset_type,
            "web_url": f"{site}/{asset.asset_type}s/{asset.pk}"
            if asset.asset_type in WEB_PAGES
            else None,
            "created_at": asset.created_at.isoformat(),
        }
        for asset in assets_visible_to(user=user, queryset=queryset)
    }


def references_resolved(*, kind: str, user, ids, asset_type: str | None = None) -> dict:
    """What `user` may see of the objects a reference column names, by id (missing ids and
    ones they may not see are left out)."""
    if not ids or user is None or not user.is_authenticated:
        return {}
    if kind == "asset":
        return assets_referenced(user=user, ids=ids, asset_type=asset_type)
    resolve = reference_kind(kind)
    return resolve(user=user, ids=ids) if resolve else {}


def reference_ids_visible(*, kind: str, user, ids, asset_type: str | None = None) -> set:
    return set(references_resolved(kind=kind, user=user, ids=ids, asset_type=asset_type))
