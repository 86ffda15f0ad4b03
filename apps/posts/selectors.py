"""Reading posts, and resolving a post's embeds for one reader at display time.

Who may see what is decided by apps.assets.selectors (assets) and apps.actions.selectors
(actions). A pinned action is shown to the post's readers when its author may still see it;
readers then get its status, timings, logs and outputs, never its request; "Run again with
these inputs" lets them start a run of their own from its query, parameters and body.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet

from apps.actions.models import Action, ActionAsset, ActionLog
from apps.actions.reaper import action_expire_if_overdue
from apps.actions.selectors import action_can_view
from apps.assets.models import Asset, Dataset, DatasetRow, File
from apps.assets.selectors import asset_can_edit, asset_can_view, assets_visible_to
from apps.assets.services import signed_download_url
from apps.posts.markdown import Embed, EmbedError
from apps.posts.models import PinnedSnapshot, Post
from apps.routes.models import Route
from apps.services.models import Service

LOGS_SHOWN = 200
PREVIEW_ROWS = 5
RESPONSE_CHARS = 4000
LONG_STRING = 300
DIGEST_SHOWN = 12


# --- posts ---------------------------------------------------------------------------------


def post_can_view(*, user, post: Post) -> bool:
    """A published post follows its visibility; a draft is seen only by who may edit it."""
    if not asset_can_view(user=user, asset=post):
        return False
    return post.is_published or asset_can_edit(user=user, asset=post)


def post_for_viewer(*, user, post_id) -> Post | None:
    # Every post page and every poll of a pinned run reads this.
    post = Post.objects.select_related("user", "parent").filter(pk=post_id).first()
    if post is None or not post_can_view(user=user, post=post):
        return None
    return post


def post_pinned_action(*, user, action_id, via) -> Action | None:
    """The run `via` (a post id) pins, when `user` may read that post: its readers see the
    run, and may start their own run from its inputs."""
    try:
        post = post_for_viewer(user=user, post_id=uuid.UUID(str(via)))
    except ValueError:
        return None
    if post is None or str(action_id) not in {e.action_id for e in post_embeds(post)}:
        return None
    action = Action.objects.select_related("route").filter(pk=action_id).first()
    if action is None or not action_can_view(user=post.user, action=action):
        return None  # the author may no longer see it: neither may the readers
    return action


def posts_listed(*, user) -> QuerySet:
    """Published posts the user may see, and the user's own drafts."""
    qs = assets_visible_to(user=user, queryset=Post.objects.all())
    own = Q(user=user) if user.is_authenticated else Q(pk__in=[])
    return (
        qs.filter(Q(published_at__isnull=False) | own)
        .select_related("user")
        .order_by("-published_at", "-created_at")
    )


# --- embeds --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogLine:
    level: str
    time: str
    message: str


@dataclass
class OutputView:
    name: str
    is_primary: bool
    asset_id: object
    asset_name: str
    kind: str  # image | file | dataset | asset
    url: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)


@dataclass
class EmbedView:
    slot: int
    embed: Embed
    available: bool = False
    asset: Asset | None = None  # the concrete Route/File/Dataset/Post/Service
    action: Action | None = None
    logs: list = field(default_factory=list)
    outputs: list[OutputView] = field(default_factory=list)
    response_text: str = ""
    snapshot: str | None = None
    image_url: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    route_url: str = ""

    @property
    def polls(self) -> bool:
        return self.action is not None and not self.action.is_terminal

    @property
    def short_digest(self) -> str:
        return (self.snapshot or "")[:DIGEST_SHOWN]

    @property
    def duration_seconds(self) -> float | None:
        action = self.action
        if action is None or action.finished_at is None:
            return None
        start = action.started_at or action.created_at
        return round((action.finished_at - start).total_seconds(), 3)


NOWHERE = Embed("00000000-0000-0000-0000-000000000000", "post")


def post_embeds(post: Post) -> list[Embed]:
    """The post's embeds in slot order. Stored embeds were validated on save; one that no
    longer parses keeps its slot and shows as not available."""
    embeds = []
    for attrs in post.embeds or []:
        try:
            embeds.append(Embed.from_attrs(attrs))
        except EmbedError:
            embeds.append(NOWHERE)
    return embeds


def _shorten(value, limit: int = LONG_STRING):
    """Long strings (base64 payloads) would drown a response; show their length instead."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:60]}… ({len(value)} characters)"
    if isinstance(value, dict):
        return {k: _shorten(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_shorten(v, limit) for v in value]
    return value


def _response_text(action: Action) -> str:
    if action.response is None:
        return ""
    text = json.dumps(_shorten(action.response), indent=2, ensure_ascii=False, default=str)
    return text if len(text) <= RESPONSE_CHARS else text[:RESPONSE_CHARS] + "\n…"


def _table(rows: list[dict]) -> tuple[list[str], list[list]]:
    columns: list[str] = []
    for row in rows:
        for key in row if isinstance(row, dict) else []:
            if key not in columns:
                columns.append(key)
    return columns, [[row.get(c) for c in columns] for row in rows if isinstance(row, dict)]


def _dataset_previews(dataset_ids: set) -> dict:
    """{dataset id: (columns, rows)} for the first rows of each dataset, in one query."""
    if not dataset_ids:
        return {}
    found: dict = {}
    for dataset_id, data in (
        DatasetRow.objects.filter(dataset_id__in=dataset_ids, position__lt=PREVIEW_ROWS + 1)
        .order_by("dataset_id", "position")
        .values_list("dataset_id", "data")
    ):
        found.setdefault(dataset_id, [])
        if len(found[dataset_id]) < PREVIEW_ROWS:
            found[dataset_id].append(data)
    return {key: _table(rows) for key, rows in found.items()}


def _is_image(file) -> bool:
    return (getattr(file, "content_type", "") or "").startswith("image/")


def _authors_actions(*, author, actions: list[Action], routes: dict) -> list[Action]:
    """The actions the post's author may still see (own runs cost no query)."""
    admin_of: dict = {}
    kept = []
    for action in actions:
        if action.user_id == author.pk:
            kept.append(action)
            continue
        action.route = routes.get(action.route_id) or action.route
        if action.route_id not in admin_of:
            admin_of[action.route_id] = action_can_view(user=author, action=action)
        if admin_of[action.route_id]:
            kept.append(action)
    return kept


def post_embeds_resolve(*, post: Post, user, slots: list[int] | None = None) -> list[EmbedView]:
    """What `user` sees for each embed of the post (or the chosen slots), in a fixed number of
    queries whatever the number of embeds."""
    views = [
        EmbedView(slot=i, embed=e)
        for i, e in enumerate(post_embeds(post))
        if slots is None or i in slots
    ]
    ids_by_type: dict[str, set] = {}
    for view in views:
        ids_by_type.setdefault(view.embed.asset_type, set()).add(view.embed.asset_id)

    models = {"route": Route, "post": Post, "service": Service, "file": File, "dataset": Dataset}
    assets: dict[str, Asset] = {}
    for asset_type, ids in ids_by_type.items():
        model = models.get(asset_type)
        if model is None:
            continue
        qs = assets_visible_to(user=user, queryset=model.objects.filter(pk__in=ids))
        if asset_type == "route":
            qs = qs.select_related("user", "org")
        elif asset_type == "post":
            qs = qs.select_related("user").filter(Q(published_at__isnull=False) | Q(user=user.pk))
        else:
            qs = qs.select_related("user")
        assets.update({str(a.pk): a for a in qs})

    routes = {a.pk: a for a in assets.values() if isinstance(a, Route)}
    action_ids = {v.embed.action_id for v in views if v.embed.action_id}
    actions: dict = {}
    if action_ids and routes:
        # The request is never shown; the inputs are read only for a first snapshot.
        found = list(
            Action.objects.filter(pk__in=action_ids, route_id__in=list(routes)).defer(
                "request", "metadata"
            )
        )
        actions = {
            str(a.pk): a for a in _authors_actions(author=post.user, actions=found, routes=routes)
        }
        for action in actions.values():
            if not action.is_terminal:
                action.route = routes[action.route_id]
                action_expire_if_overdue(action)  # never show an overdue run as running
    _attach_action_details(list(actions.values()))
    snapshots = dict(
        PinnedSnapshot.objects.filter(post=post, action_id__in=list(actions)).values_list(
            "action_id", "digest"
        )
        if actions and post.pk
        else []
    )

    previews = _dataset_previews(
        {a.pk for a in assets.values() if a.asset_type == "dataset"}
        | {
            o.asset_id
            for action in actions.values()
            for o in action.outputs_shown
            if o.kind == "dataset"
        }
    )
    for view in views:
        asset = assets.get(view.embed.asset_id)
        if asset is None:
            continue
        view.asset = asset
        if isinstance(asset, Route):
            view.route_url = asset.get_absolute_url()
            if view.embed.action_id:
                action = actions.get(view.embed.action_id)
                if action is None or action.route_id != asset.pk:
                    continue
                action.route = asset
                view.action = action
                view.logs = action.logs_shown
                view.outputs = action.outputs_shown
                for output in view.outputs:
                    if output.kind == "dataset":
                        output.columns, output.rows = previews.get(output.asset_id, ([], []))
                view.response_text = _response_text(action)
                view.snapshot = snapshots.get(action.pk)
        elif asset.asset_type == "file" and _is_image(asset):
            view.image_url = signed_download_url(asset=asset)
        elif asset.asset_type == "dataset":
            view.columns, view.rows = previews.get(asset.pk, ([], []))
        view.available = True
    return views


def _attach_action_details(actions: list[Action]) -> None:
    """Logs and outputs of all the pinned actions: two queries, plus one for output files.

    Only the columns shown are read: a long post pins many runs with many log lines.
    """
    if not actions:
        return
    by_id = {a.pk: a for a in actions}
    for action in actions:
        action.logs_shown, action.outputs_shown = [], []
    logs = (
        ActionLog.objects.filter(action_id__in=list(by_id))
        .order_by("created_at", "id")
        .values_list("action_id", "level", "created_at", "message")
    )
    for action_id, level, created_at, message in logs:
        shown = by_id[action_id].logs_shown
        if len(shown) < LOGS_SHOWN:
            shown.append(LogLine(level, created_at.strftime("%H:%M:%S"), message))
    links = list(
        ActionAsset.objects.filter(action_id__in=list(by_id), role=ActionAsset.Role.OUTPUT)
        .filter(asset__archived_at__isnull=True)
        .order_by("-is_primary", "name")
        .values_list(
            "action_id", "name", "is_primary", "asset_id", "asset__asset_type", "asset__name"
        )
    )
    file_ids = [row[3] for row in links if row[4] == "file"]
    files = (
        {f.pk: f for f in File.objects.filter(pk__in=file_ids).only("id", "name", "content_type")}
        if file_ids
        else {}
    )
    for action_id, name, is_primary, asset_id, asset_type, asset_name in links:
        kind, url = (asset_type if asset_type == "dataset" else "asset"), None
        file = files.get(asset_id)
        if file is not None:
            kind = "image" if _is_image(file) else "file"
            url = signed_download_url(asset=file)
        by_id[action_id].outputs_shown.append(
            OutputView(
                name=name,
                is_primary=is_primary,
                asset_id=asset_id,
                asset_name=asset_name,
                kind=kind,
                url=url,
            )
        )


def post_embed_for_action(*, post: Post, user, action_id: str, slot: int | None) -> EmbedView:
    """The one embed of `post` pinning `action_id` (the given slot, or the first)."""
    embeds = post_embeds(post)
    matches = [i for i, e in enumerate(embeds) if e.action_id == str(action_id)]
    if slot is not None and slot in matches:
        matches = [slot]
    if not matches:
        raise LookupError("This post pins no such action")
    return post_embeds_resolve(post=post, user=user, slots=matches[:1])[0]


# --- verifiable snapshots ------------------------------------------------------------------


def _file_digest(file) -> str:
    digest = hashlib.sha256()
    path = getattr(file, "storage_path", "")
    if not path or not default_storage.exists(path):
        return "missing"
    with default_storage.open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def action_digest(*, action: Action) -> str:
    """SHA-256 over the action's inputs and outputs as they are in storage now: the inputs,
    the status and response, and each output asset's bytes (files) or rows (datasets)."""
    outputs = []
    links = (
        ActionAsset.objects.filter(action=action).select_related("asset").order_by("role", "name")
    )
    for link in links:
        content: object = None
        if link.asset.asset_type == "file":
            file = File.objects.filter(pk=link.asset_id).first()
            content = _file_digest(file) if file else "missing"
        elif link.asset.asset_type == "dataset":
            content = list(
                DatasetRow.objects.filter(dataset_id=link.asset_id)
                .order_by("position")
                .values_list("data", flat=True)
            )
        outputs.append(
            {"role": link.role, "name": link.name, "asset": str(link.asset_id), "content": content}
        )
    payload = {
        "action": str(action.pk),
        "route": str(action.route_id),
        "inputs": action.metadata,
        "status": action.status,
        "response": action.response,
        "assets": outputs,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def pinned_snapshot(*, post: Post, action: Action) -> str | None:
    return (
        PinnedSnapshot.objects.filter(post=post, action=action)
        .values_list("digest", flat=True)
        .first()
    )
