"""Posts and the markdown converter of the Ouro contract (CONTRACT §9)."""

from contextlib import contextmanager

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.context import request_placement
from apps.api.envelope import body_object, ok, parse_uuid, query_bool, text_field
from apps.api.errors import ApiError
from apps.api.schema import (
    ASSET_CHANGES,
    ASSET_FIELDS,
    DELETE_OPTIONS,
    content,
    field,
    json_object,
)
from apps.assets.api_views.common import for_sale_error, sale_requested, sale_store
from apps.assets.kinds import asset_engagement
from apps.assets.models import Asset
from apps.assets.selectors import (
    asset_can_edit,
    asset_for_sale,
    asset_is_admin,
    assets_visible_to,
)
from apps.assets.serializers import asset_dict
from apps.assets.services import asset_delete
from apps.posts.markdown import RenderLimitError
from apps.posts.models import Post
from apps.posts.selectors import post_embeds, post_for_viewer
from apps.posts.services import PostError, post_create, post_update
from apps.posts.shared_ids import posts_path_owner
from apps.posts.tiptap import DocumentError, markdown_to_tiptap, tiptap_to_markdown


@contextmanager
def _post_errors():
    try:
        yield
    except PostError as exc:
        raise ApiError(exc.message, status=exc.status, code=exc.code) from None


def post_dict(post: Post, *, user) -> dict:
    """The post, its content and the assets it embeds that this reader may see."""
    ids = {e.asset_id for e in post_embeds(post)}
    embedded = (
        assets_visible_to(user=user, queryset=Asset.objects.filter(pk__in=ids)).select_related(
            "user"
        )
        if ids
        else []
    )
    return {
        **asset_dict(post),
        "content": {"text": post.content_text, "json": post.content_json},
        "assets": [asset_dict(a) for a in embedded],
        "published_at": post.published_at.isoformat() if post.published_at else None,
        **asset_engagement(post),
    }


def _description(value) -> str | None:
    """A description arrives as markdown or as rich text ({json, text})."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict):
        if isinstance(value.get("json"), dict):
            try:
                return tiptap_to_markdown(value["json"]).strip()
            except DocumentError as exc:
                where = f"post.description.json.{exc.path}".rstrip(".")
                raise ApiError(f"{where} {exc.problem}", code="invalid_content") from None
        return str(value.get("text") or "")
    raise ApiError("post.description must be text or {json, text}", code="invalid_body")


def _load(request: Request, post_id: str) -> Post:
    post = post_for_viewer(user=request.user, post_id=parse_uuid(post_id))
    if post is None:
        for_sale = asset_for_sale(asset_id=parse_uuid(post_id), model=Post)
        if for_sale is not None:
            raise for_sale_error(for_sale)
        raise ApiError("Post not found", status=404, code="not_found")
    return post


@extend_schema(
    request=json_object(
        "PostCreate",
        {
            "post": json_object(
                "PostFields",
                {**ASSET_FIELDS, "source": field(str, "`api` (the default is `web`)")},
                "The new post's fields.",
            ),
            "content": content("The post's body"),
        },
    )
)
@api_view(["POST"])
def post_create_view(request: Request):
    body = body_object(request)
    fields = body_object(request, "post")
    org, team = request_placement(request, fields)
    sale = sale_requested(fields, "post")
    with _post_errors(), transaction.atomic():
        post = post_create(
            user=request.user,
            org=org,
            team=team,
            name=text_field(fields, "name", "post") or "",
            content=body.get("content"),
            visibility=text_field(fields, "visibility", "post"),
            description=_description(fields.get("description")) or "",
            source="api" if fields.get("source") == "api" else "web",
            metadata=fields.get("metadata") if isinstance(fields.get("metadata"), dict) else {},
            license_id=text_field(fields, "license_id", "post") or "",
            attribution=fields.get("attribution")
            if isinstance(fields.get("attribution"), dict)
            else None,
        )
        sale_store(post, sale)
    return ok(post_dict(post, user=request.user), status=201)


@extend_schema(methods=["DELETE"], parameters=DELETE_OPTIONS)
@extend_schema(
    methods=["PUT"],
    request=json_object(
        "PostUpdate",
        {
            "post": json_object(
                "PostChanges",
                ASSET_CHANGES,
                "The fields to change; those left out are kept.",
                required=False,
            ),
            "content": content("The post's body"),
        },
    ),
)
@api_view(["GET", "PUT", "DELETE"])
def post_detail_view(request: Request, post_id: str):
    other = posts_path_owner(post_id)
    if other is not None:  # a comment, read or deleted where the clients look for it
        return other(request._request, post_id)
    post = _load(request, post_id)
    if request.method == "GET":
        return ok(post_dict(post, user=request.user))
    if request.method == "DELETE":
        if not asset_is_admin(user=request.user, asset=post):
            raise ApiError(
                "Only the owner or an admin may delete this post",
                status=403,
                code="permission_denied",
            )
        summary = asset_delete(
            asset=post,
            delete_children=query_bool(request, "delete_children"),
            dry_run=query_bool(request, "dry_run"),
        )
        return ok(summary)
    if not asset_can_edit(user=request.user, asset=post):
        raise ApiError("You may not change this post", status=403, code="permission_denied")
    body = body_object(request)
    fields = body.get("post") if isinstance(body.get("post"), dict) else {}
    sale = sale_requested(fields, "post")
    with _post_errors(), transaction.atomic():
        post = post_update(
            post=post,
            user=request.user,
            name=text_field(fields, "name", "post"),
            content=body.get("content"),
            visibility=text_field(fields, "visibility", "post"),
            description=_description(fields.get("description")),
            license_id=text_field(fields, "license_id", "post"),
            attribution=fields.get("attribution")
            if isinstance(fields.get("attribution"), dict)
            else None,
        )
        sale_store(post, sale)
    return ok(post_dict(post, user=request.user))


@extend_schema(
    request=json_object(
        "MarkdownConversion", {"markdown": field(str, "The markdown to convert", required=True)}
    )
)
@api_view(["POST"])
def convert_from_markdown(request: Request):
    """Markdown to TipTap JSON: answered top-level as `{json, markdown}`, as the client reads."""
    markdown = body_object(request).get("markdown")
    if not isinstance(markdown, str):
        raise ApiError("markdown must be a string", code="invalid_body")
    try:
        doc = markdown_to_tiptap(markdown)
    except RenderLimitError as exc:
        raise ApiError(str(exc), code="content_too_complex") from None
    return Response({"json": doc, "markdown": markdown})
