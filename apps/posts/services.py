"""Writes for posts: create, update, publish, share an action in a post, record snapshots.

Content is normalised and rendered before anything is written (`content_prepare`): rendering
is bounded but not free, and it never runs inside a database transaction, where it would keep
every other writer waiting on SQLite. Partial embeds (assets sent inside the content, to be
created with the post) get their ids then; inside the transaction they become the post's
children under those ids, and ordinary embeds of them.
"""

import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Organization, Team, User
from apps.actions.models import Action
from apps.actions.selectors import action_can_view
from apps.assets.market import MONETIZED
from apps.assets.models import Asset, Visibility
from apps.assets.services import (
    AssetError,
    Owner,
    dataset_create,
    dataset_view_create,
    file_create,
    file_size_check,
    provenance_for_create,
    provenance_update,
)
from apps.posts.markdown import Embed, EmbedError, Rendered, RenderLimitError, render
from apps.posts.models import PinnedSnapshot, Post
from apps.posts.partials import (
    Partial,
    PartialError,
    partials_find,
    partials_present,
    partials_replace,
)
from apps.posts.selectors import EmbedView, action_digest, pinned_snapshot, post_embeds
from apps.posts.tiptap import (
    DocumentError,
    document_check,
    tiptap_from_rendered,
    tiptap_to_markdown,
)

NAME_MAX = 200


class PostError(AssetError):
    """Content or fields that cannot be saved, with a message for the author."""

    def __init__(self, message: str, *, code: str = "invalid_post", status: int = 400):
        super().__init__(message, status=status, code=code)


@dataclass(frozen=True)
class Content:
    text: str
    json: dict


@dataclass(frozen=True)
class PreparedPartial:
    """A partial embed's asset, checked, with the id its embed already names."""

    number: int  # its position among the document's partial embeds, from 1
    partial: Partial
    asset_id: uuid.UUID
    body: "PreparedContent | None" = None  # a post's own content, prepared


@dataclass(frozen=True)
class PreparedContent:
    """Content normalised, checked and rendered, ready to be written."""

    content: Content
    rendered: Rendered
    partials: tuple[PreparedPartial, ...] = ()


@contextmanager
def _content_errors():
    try:
        yield
    except RenderLimitError as exc:
        raise PostError(str(exc), code="content_too_complex") from None
    except DocumentError as exc:
        where = f"content.json.{exc.path}" if exc.path else "content.json"
        raise PostError(f"{where} {exc.problem}", code="invalid_content") from None


def _normalized(value) -> tuple[Content, Rendered | None]:
    """The content, and its rendering when normalising it rendered it already."""
    if value is None or isinstance(value, str):
        text = value or ""
        with _content_errors():
            rendered = render(text)
            return Content(text=text, json=tiptap_from_rendered(rendered)), rendered
    if not isinstance(value, dict):
        raise PostError("content must be markdown or an object with json and text")
    doc = value.get("json")
    text = value.get("text")
    if text is not None and not isinstance(text, str):
        raise PostError("content.text must be a string")
    if isinstance(doc, dict) and doc.get("type") == "doc":
        with _content_errors():
            return Content(text=tiptap_to_markdown(doc), json=doc), None
    if doc is not None:
        raise PostError("content.json must be a TipTap document ({'type': 'doc', ...})")
    return _normalized(text or "")


def content_normalize(value) -> Content:
    """A markdown string, or `{"json": <TipTap doc>, "text": <markdown>}` as the clients send.

    A TipTap document is authoritative when present (the text of an editor-built document
    may use shorthands the document spells out); otherwise the markdown is.
    """
    return _normalized(value)[0]


def content_prepare(value) -> PreparedContent:
    """Normalise, check and render content, and check the assets of its partial embeds, giving
    each the id it will have: everything slow or refusable about a write, done before it.
    PostError says what is wrong."""
    if isinstance(value, PreparedContent):
        return value
    partials: tuple[PreparedPartial, ...] = ()
    doc = value.get("json") if isinstance(value, dict) else None
    if isinstance(doc, dict) and doc.get("type") == "doc":
        with _content_errors():
            document_check(doc)
        if partials_present(doc):
            partials = _partials_prepare(doc)
            ids = {p.partial.placeholder: (str(p.asset_id), p.partial.asset_type) for p in partials}
            value = {"json": partials_replace(doc, ids)}
    content, rendered = _normalized(value)
    if rendered is None:
        with _content_errors():
            rendered = render(content.text)
    if rendered.errors:
        raise PostError("; ".join(rendered.errors), code="invalid_embed")
    return PreparedContent(content=content, rendered=rendered, partials=partials)


def _partial_failed(number: int, exc: AssetError) -> PostError:
    return PostError(f"Partial embed {number}: {exc.message}", code=exc.code, status=exc.status)


def _partials_prepare(doc: dict) -> tuple[PreparedPartial, ...]:
    try:
        partials = partials_find(doc)
    except PartialError as exc:
        raise PostError(str(exc), code="invalid_partial") from None
    prepared = []
    for number, partial in enumerate(partials, start=1):
        body = None
        try:
            if partial.asset_type == "file":
                file_size_check(len(partial.content))
            elif partial.asset_type == "post":
                body = content_prepare(partial.body)
        except AssetError as exc:
            raise _partial_failed(number, exc) from None
        prepared.append(PreparedPartial(number, partial, uuid.uuid4(), body))
    return tuple(prepared)


def _pins_check(*, user: User, embeds: list[Embed], previous: list[Embed]) -> None:
    """An author may pin only actions they can see, of the route the block embeds.

    Pins kept from the previous version are not re-checked, so a co-editor can change a post
    without being able to see every run its author pinned.
    """
    kept = {(e.asset_id, e.action_id) for e in previous if e.action_id}
    new = [e for e in embeds if e.action_id and (e.asset_id, e.action_id) not in kept]
    for embed in new:
        if embed.asset_type != "route":
            raise PostError("Only a route embed can pin an action", code="invalid_embed")
        action = Action.objects.filter(pk=embed.action_id).select_related("route").first()
        if action is None or not action_can_view(user=user, action=action):
            raise PostError(
                f"You cannot pin action {embed.action_id}: no such action is visible to you",
                code="pin_forbidden",
                status=403,
            )
        if str(action.route_id) != embed.asset_id:
            raise PostError(
                f"Action {embed.action_id} is a run of another route", code="invalid_embed"
            )


def _apply_content(post: Post, *, user: User, prepared: PreparedContent) -> None:
    rendered = prepared.rendered
    previous = post_embeds(post) if post.pk and not post._state.adding else []
    _pins_check(user=user, embeds=rendered.embeds, previous=previous)
    post.content_text = prepared.content.text
    post.content_json = prepared.content.json
    post.html = rendered.html
    post.embeds = [e.to_attrs() for e in rendered.embeds]


def _partial_create(*, post: Post, editor: User, item: PreparedPartial) -> Asset:
    """The asset of one partial embed: the post author's, in the post's team, its child.

    Its visibility is `inherit`, so it follows the post's.
    """
    partial = item.partial
    owner = Owner(user=post.user, org=post.org, team=post.team)
    common = {
        "name": partial.name,
        "description": partial.description,
        "visibility": Visibility.INHERIT,
        "source": post.source,
    }
    if partial.asset_type == "post":
        child = _post_new(
            user=post.user,
            org=post.org,
            team=post.team,
            parent=post,
            publish=post.is_published,
            asset_id=item.asset_id,
            **common,
        )
        _post_write(child, editor=editor, prepared=item.body)
        return child
    if partial.asset_type == "dataset":
        metadata = {"view": partial.view} if partial.view else None
        asset, _ = dataset_create(
            owner=owner, rows=partial.rows, metadata=metadata, asset_id=item.asset_id, **common
        )
        if partial.view:  # a saved view of the dataset, its query checked as any view's
            dataset_view_create(
                dataset=asset, user=post.user, data={"name": partial.name, **partial.view}
            )
    else:
        asset = file_create(
            owner=owner,
            file_name=partial.file_name,
            content=partial.content,
            asset_id=item.asset_id,
            **common,
        )
    asset.parent = post
    asset.save(update_fields=["parent"])
    return asset


def _post_write(post: Post, *, editor: User, prepared: PreparedContent) -> None:
    """Inside a transaction: the assets of the partial embeds (children of the post, so it is
    saved first), then the post with its content and the snapshots of its pins."""
    if prepared.partials:
        if post._state.adding:
            post.save()  # the parent of the assets about to be created
        # Files last: their bytes go to storage, which a rollback does not undo.
        for item in sorted(prepared.partials, key=lambda p: p.partial.asset_type == "file"):
            try:
                _partial_create(post=post, editor=editor, item=item)
            except AssetError as exc:
                raise _partial_failed(item.number, exc) from None
    _apply_content(post, user=editor, prepared=prepared)
    post.save()
    pinned_snapshots_record(post=post)


def _visibility(value: str | None, default: str) -> str:
    if not value:
        return default
    if value not in (*Visibility.values, MONETIZED):  # monetized: for sale (apps.assets.market)
        choices = ", ".join((*Visibility.values, MONETIZED))
        raise PostError(f"visibility must be one of {choices}", code="invalid_visibility")
    return value


def _name(value: str | None) -> str:
    if value is not None and not isinstance(value, str):
        raise PostError("A post's name must be text", code="invalid_name")
    name = (value or "").strip()
    if not name:
        raise PostError("A post needs a name", code="invalid_name")
    return name[:NAME_MAX]


def _provenance(check):
    """`check()`, with a licence or attribution it refuses as a PostError."""
    try:
        return check()
    except AssetError as exc:
        raise PostError(exc.message, code=exc.code) from None


def _post_new(
    *,
    user: User,
    org: Organization,
    team: Team,
    name: str,
    visibility: str | None = None,
    description: str = "",
    publish: bool = True,
    source: str = "web",
    metadata: dict | None = None,
    license_id: str = "",
    attribution: dict | None = None,
    parent: Asset | None = None,
    asset_id: uuid.UUID | None = None,
) -> Post:
    """A new post's fields, checked (not saved)."""
    post = Post(
        user=user,
        org=org,
        team=team,
        parent=parent,
        name=_name(name),
        description=description or "",
        visibility=_visibility(visibility, Visibility.PRIVATE),
        source=source,
        metadata=metadata or {},
        **_provenance(lambda: provenance_for_create(license_id, attribution)),
    )
    if asset_id is not None:
        post.id = asset_id
    if publish:
        post.publish()
    return post


def post_create(
    *,
    user: User,
    org: Organization,
    team: Team,
    name: str,
    content,
    visibility: str | None = None,
    description: str = "",
    publish: bool = True,
    source: str = "web",
    metadata: dict | None = None,
    license_id: str = "",
    attribution: dict | None = None,
    parent: Asset | None = None,
    editor: User | None = None,
) -> Post:
    """A new post of `user`'s; `editor` (who writes it, `user` by default) is who its pins
    are checked against. `content` may be prepared already (`content_prepare`)."""
    post = _post_new(
        user=user,
        org=org,
        team=team,
        parent=parent,
        name=name,
        description=description,
        visibility=visibility,
        source=source,
        metadata=metadata,
        license_id=license_id,
        attribution=attribution,
        publish=publish,
    )
    prepared = content_prepare(content)
    with transaction.atomic():
        _post_write(post, editor=editor or user, prepared=prepared)
    return post


def post_update(
    *,
    post: Post,
    user: User,
    name: str | None = None,
    content=None,
    visibility: str | None = None,
    description: str | None = None,
    license_id: str | None = None,
    attribution: dict | None = None,
    publish: bool = False,
) -> Post:
    if name is not None:
        post.name = _name(name)
    if visibility is not None:
        post.visibility = _visibility(visibility, post.visibility)
    prepared = content_prepare(content) if content is not None else None
    if description is not None:
        post.description = description
    _provenance(lambda: provenance_update(post, license_id=license_id, attribution=attribution))
    with transaction.atomic():
        if publish:
            post.publish()
            _children_publish(post)
        if prepared is not None:
            _post_write(post, editor=user, prepared=prepared)
        else:
            post.save()
            pinned_snapshots_record(post=post)
    return post


def _children_publish(post: Post) -> None:
    """Posts created from the post's partial embeds are published with it."""
    Post.objects.filter(parent=post, published_at__isnull=True).update(
        published_at=post.published_at or timezone.now()
    )


def post_publish(*, post: Post) -> Post:
    if post.published_at is None:
        post.published_at = timezone.now()
        Post.objects.filter(pk=post.pk, published_at__isnull=True).update(
            published_at=post.published_at
        )
        _children_publish(post)
    return post


def post_share_action(*, user: User, action: Action, org: Organization, team: Team) -> Post:
    """A draft post holding the action's pinned embed, for its author to write around."""
    if not action_can_view(user=user, action=action):
        raise PostError("You cannot share this action", code="pin_forbidden", status=403)
    block = action_embed_block(action=action)
    text = f"Results of **{action.route.name}**.\n\n{block}\n"
    return post_create(
        user=user,
        org=org,
        team=team,
        name=f"{action.route.name} run {str(action.pk)[:8]}",
        content=text,
        visibility=Visibility.PRIVATE,
        publish=False,
    )


def action_embed_block(*, action: Action) -> str:
    """The markdown block embedding the action's route with the action pinned."""
    try:
        embed = Embed.from_attrs(
            {
                "id": str(action.route_id),
                "assetType": "route",
                "viewMode": "preview",
                "displayConfig": {"actionId": str(action.pk)},
            }
        )
    except EmbedError as exc:  # ids come from the database; this would be a bug
        raise PostError(str(exc)) from exc
    return embed.block()


def pinned_snapshots_record(*, post: Post, views: list[EmbedView] | None = None) -> None:
    """Take the snapshot of every finished pinned action that has none yet.

    The first digest taken after an action finished is what later verifications compare to.
    """
    if views is not None:
        actions = [v.action for v in views if v.action is not None and v.snapshot is None]
    else:
        ids = [e.action_id for e in post_embeds(post) if e.action_id]
        taken = set(
            PinnedSnapshot.objects.filter(post=post, action_id__in=ids).values_list(
                "action_id", flat=True
            )
        )
        actions = [a for a in Action.objects.filter(pk__in=ids) if a.pk not in taken]
    finished = {a.pk: a for a in actions if a.is_terminal}
    if not finished:
        return
    PinnedSnapshot.objects.bulk_create(
        [
            PinnedSnapshot(post=post, action=a, digest=action_digest(action=a))
            for a in finished.values()
        ],
        ignore_conflicts=True,
    )
    if views is not None:
        for view in views:
            if view.action is not None and view.action.pk in finished:
                view.snapshot = pinned_snapshot(post=post, action=view.action)


def post_output_prepare(value):
    """A run's declared post output with its content prepared, before the transaction that
    stores it (other values are left for post_output_create to refuse)."""
    if not isinstance(value, dict):
        return value
    content = value.get("content")
    if isinstance(content, PreparedContent):
        return value
    if isinstance(content, dict):
        content = {"text": content.get("text") or "", "json": content.get("json")}
    elif not isinstance(content, str):
        raise AssetError("a post output needs `content`")
    return {**value, "content": content_prepare(content)}


def post_output_create(*, owner: Owner, title: str, value: dict, visibility: str) -> Post:
    """A run's declared post output (`{name, content}`) as a post of the run's caller."""
    content = post_output_prepare(value)["content"]
    return post_create(
        user=owner.user,
        org=owner.org,
        team=owner.team,
        name=title,
        content=content,
        visibility=visibility,
        source="api",
    )
