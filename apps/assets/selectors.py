"""The one place that decides who may see and who may change an asset.

Every surface (pages, API, embeds, SDK and MCP calls) goes through these selectors.

- public: anyone may see it.
- private: the owner and the users it is shared with.
- organization: members of its organization (in the personal context: the owner only).
- inherit: follows its parent (a route follows its service); with no parent, private.
- a draft post (never published) is seen only by its owner and the users it is shared with.

Changing an asset needs ownership, a write/admin share, or the admin role in its organization.
"""

from django.db.models import F, Q, QuerySet

from apps.accounts.models import PERSONAL_ORG_ID, Membership, Role
from apps.assets.filetypes import declaration_mismatch, declared_extensions, declared_types
from apps.assets.models import Asset, AssetShare, Dataset, File, Visibility

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


def _drafts_hidden_q(user, model) -> Q:
    """Draft posts among `model` rows, unless the user owns them or holds a share."""
    from apps.posts.models import Post

    if model is Asset:
        draft = Q(asset_type="post", post_detail__published_at__isnull=True)
    elif issubclass(model, Post):
        draft = Q(published_at__isnull=True)
    else:
        return Q()
    return ~draft | _personal_q(user)


def _is_draft(asset: Asset) -> bool:
    if asset.asset_type != "post":
        return False
    from apps.posts.models import Post

    if isinstance(asset, Post):
        return asset.published_at is None
    return Post.objects.filter(pk=asset.pk, published_at__isnull=True).exists()


def assets_visible_to(*, user, queryset: QuerySet | None = None) -> QuerySet:
    qs = queryset if queryset is not None else Asset.objects.all()
    return qs.filter(visible_q(user), _drafts_hidden_q(user, qs.model), archived_at__isnull=True)


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


# Reads for files, datasets, chaining and lineage --------------------------------------------------


def asset_concrete(asset: Asset):
    """The file, dataset or post behind an asset row."""
    if asset.asset_type == "file":
        return File.objects.filter(pk=asset.pk).first()
    if asset.asset_type == "dataset":
        return Dataset.objects.filter(pk=asset.pk).first()
    if asset.asset_type == "post":
        from apps.posts.models import Post

        return Post.objects.filter(pk=asset.pk).first()
    return asset


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


def _route_model():
    from apps.routes.models import Route

    return Route


def routes_compatible_with(*, asset, user, query: str = "", sort: str = "popular") -> list:
    """Routes the user may run whose input declarations accept `asset`, best first.

    `sort`: popular (most runs), recent (newest), updated (last changed). A text `query`
    keeps only routes whose name, summary, description or path mention every word, ranked
    by how many fields match.
    """
    from django.db.models import Count

    from apps.assets.io import input_mismatch

    routes = assets_visible_to(
        user=user, queryset=_route_model().objects.exclude(input_assets={})
    ).annotate(runs=Count("actions"))
    matching = []
    for route in routes:
        declarations = route.input_assets if isinstance(route.input_assets, dict) else {}
        names = [n for n, d in declarations.items() if not input_mismatch(d, asset)]
        if names:
            route.compatible_inputs = names
            matching.append(route)
    words = [w.lower() for w in query.split() if w]
    if words:

        def fields(route) -> list[str]:
            return [
                f.lower() for f in (route.name, route.summary, route.description, route.path) if f
            ]

        matching = [r for r in matching if all(any(w in f for f in fields(r)) for w in words)]
        return sorted(
            matching,
            key=lambda r: (-sum(w in f for w in words for f in fields(r)), -r.runs, r.name),
        )
    if sort == "recent":
        return sorted(matching, key=lambda r: r.created_at, reverse=True)
    if sort == "updated":
        return sorted(matching, key=lambda r: r.last_updated, reverse=True)
    return sorted(matching, key=lambda r: (-r.runs, -r.created_at.timestamp()))


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


def action_visible_to(*, user, action) -> bool:
    """A run is seen by whoever started it and by the route's owner and organization admins."""
    if user is None or not user.is_authenticated:
        return False
    return action.user_id == user.pk or asset_is_admin(user=user, asset=action.route)


def asset_actions(*, asset, user, role: str) -> tuple[object | None, list]:
    """(the action that produced `asset`, the actions that used it as input), as user sees them."""
    from apps.actions.models import ActionAsset

    links = ActionAsset.objects.filter(asset_id=asset.pk).select_related(
        "action__route", "action__user"
    )
    created_by = None
    as_input = []
    if role in ("output", "both"):
        link = links.filter(role=ActionAsset.Role.OUTPUT).order_by("created_at").first()
        if link and action_visible_to(user=user, action=link.action):
            created_by = link.action
    if role in ("input", "both"):
        seen = set()
        for link in links.filter(role=ActionAsset.Role.INPUT).order_by("-action__created_at"):
            if link.action_id not in seen and action_visible_to(user=user, action=link.action):
                seen.add(link.action_id)
                as_input.append(link.action)
    return created_by, as_input


LINEAGE_DEPTH = 6


def asset_lineage(*, asset, user) -> dict:
    """How `asset` came to be and where it was used since, limited to what `user` may see.

    Returns {"sources": [step], "uses": [step]} where a step is
    {"action", "route", "inputs"|"outputs": [asset], "hidden": n, "earlier"|"later": [step]}.
    An asset the user may not see is counted in `hidden`, never named; a run the user may not
    see shows only its route (when visible).
    """
    from apps.actions.models import ActionAsset

    def visible(a) -> bool:
        return asset_can_view(user=user, asset=a)

    def step(action, *, side: str, depth: int, seen: set) -> dict:
        route = action.route if asset_can_view(user=user, asset=action.route) else None
        role = ActionAsset.Role.INPUT if side == "inputs" else ActionAsset.Role.OUTPUT
        linked = [
            link.asset for link in action.assets.filter(role=role).select_related("asset__parent")
        ]
        shown = [a for a in linked if visible(a)]
        next_steps = []
        if depth < LINEAGE_DEPTH:
            for a in shown:
                next_steps += walk(a, side=side, depth=depth + 1, seen=seen)
        return {
            "action": action if action_visible_to(user=user, action=action) else None,
            "route": route,
            side: shown,
            "hidden": len(linked) - len(shown),
            "next": next_steps,
        }

    def walk(a, *, side: str, depth: int, seen: set) -> list[dict]:
        if a.pk in seen:
            return []
        seen.add(a.pk)
        role = ActionAsset.Role.OUTPUT if side == "inputs" else ActionAsset.Role.INPUT
        actions = (
            link.action
            for link in ActionAsset.objects.filter(asset_id=a.pk, role=role)
            .select_related("action__route__parent")
            .order_by("created_at")
        )
        return [step(action, side=side, depth=depth, seen=seen) for action in actions]

    return {
        "sources": walk(asset, side="inputs", depth=0, seen=set()),
        "uses": walk(asset, side="outputs", depth=0, seen=set()),
    }


def route_related_assets(*, route, user) -> list:
    """The assets linked to a route, each only when the user may see it."""
    return [
        link
        for link in route.related.select_related("asset__parent", "asset__user")
        if asset_can_view(user=user, asset=link.asset)
    ]


def asset_connections(*, asset, user) -> list:
    """Route links touching `asset` (as route or as linked asset) that the user may see."""
    from apps.assets.models import RouteAsset

    links = RouteAsset.objects.filter(Q(route_id=asset.pk) | Q(asset_id=asset.pk)).select_related(
        "route", "asset__parent"
    )
    return [
        link
        for link in links
        if asset_can_view(user=user, asset=link.route)
        and asset_can_view(user=user, asset=link.asset)
    ]


SEARCH_SCOPES = ("personal", "org", "shared", "purchased", "global", "all")


def _in_scope(qs: QuerySet, *, user, scope: str | None, org_id) -> QuerySet:
    """personal: the user's own; org: the organization acted in (in the personal context, the
    organizations the user belongs to); shared: others' assets shared with the user;
    purchased: none (nothing is sold here); global and all: everything the user may see."""
    if scope in (None, "", "global", "all"):
        return qs
    if not user.is_authenticated or scope == "purchased":
        return qs.none()
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

    qs = assets_visible_to(user=user)
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
