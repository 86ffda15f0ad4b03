"""Post pages: list, write with a live preview, read with live embeds, share an action."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.services import personal_org
from apps.actions.models import Action
from apps.actions.reaper import action_expire_if_overdue
from apps.actions.selectors import action_can_view, action_state
from apps.assets.models import Asset, Visibility
from apps.assets.selectors import asset_can_edit, asset_can_view
from apps.assets.views import asset_unreadable_page
from apps.posts import markdown
from apps.posts.models import Post
from apps.posts.selectors import (
    action_digest,
    pinned_snapshot,
    post_embed_for_action,
    post_embeds,
    post_embeds_resolve,
    post_for_viewer,
    posts_listed,
)
from apps.posts.services import (
    PostError,
    pinned_snapshots_record,
    post_create,
    post_publish,
    post_share_action,
    post_update,
)
from apps.routes.models import Route

EMBED_PARTIAL = "posts/embeds.html#embed"
VISIBILITY_CHOICES = [
    (Visibility.PUBLIC, "Public: anyone"),
    (Visibility.ORGANIZATION, "Organization: its members"),
    (Visibility.PRIVATE, "Private: you and who you share it with"),
]


class PostForm(forms.Form):
    name = forms.CharField(max_length=200)
    visibility = forms.ChoiceField(choices=VISIBILITY_CHOICES, initial=Visibility.PRIVATE)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 22}), required=False)


def _body(request: HttpRequest, post: Post) -> str:
    """The post's stored HTML with each embed rendered for this reader."""
    views = post_embeds_resolve(post=post, user=request.user)
    if post.pk:
        pinned_snapshots_record(post=post, views=views)
    # No request context: the fragment needs none, and context processors per embed add up.
    fragments = [render_to_string(EMBED_PARTIAL, {"e": view, "post": post}) for view in views]
    return mark_safe(markdown.slots_fill(post.html, fragments))  # noqa: S308 (sanitised + ours)


def _post_or_404(request: HttpRequest, post_id) -> Post:
    post = post_for_viewer(user=request.user, post_id=post_id)
    if post is None:
        raise Http404("No such post")
    return post


@require_GET
def posts_list(request: HttpRequest) -> HttpResponse:
    posts = posts_listed(user=request.user)[:100]
    return render(request, "posts/list.html", {"posts": posts})


@require_GET
def post_detail(request: HttpRequest, post_id) -> HttpResponse:
    post = post_for_viewer(user=request.user, post_id=post_id)
    if post is None:
        return asset_unreadable_page(post_id, Post)
    context = {
        "post": post,
        "body": _body(request, post),
        "can_edit": asset_can_edit(user=request.user, asset=post),
    }
    return render(request, "posts/detail.html", context)


def _save(request: HttpRequest, form: PostForm, post: Post | None) -> Post | None:
    publish = request.POST.get("intent") == "publish"
    try:
        if post is None:
            org = personal_org()
            return post_create(
                user=request.user,
                org=org,
                team=org.default_team,
                name=form.cleaned_data["name"],
                content=form.cleaned_data["text"],
                visibility=form.cleaned_data["visibility"],
                publish=publish,
            )
        return post_update(
            post=post,
            user=request.user,
            name=form.cleaned_data["name"],
            content=form.cleaned_data["text"],
            visibility=form.cleaned_data["visibility"],
            publish=publish,
        )
    except PostError as exc:
        form.add_error("text", exc.message)
        return None


def _editor(request: HttpRequest, post: Post | None) -> HttpResponse:
    initial = (
        {"name": post.name, "visibility": post.visibility, "text": post.content_text}
        if post
        else {"text": request.GET.get("text", "")}
    )
    form = PostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, post)
        if saved is not None:
            messages.success(request, "Published." if saved.is_published else "Draft saved.")
            return redirect("post_detail", post_id=saved.pk)
    text = form.data.get("text") if form.is_bound else initial.get("text", "")
    context = {"form": form, "post": post, "preview": _preview(request, text or "")}
    return render(request, "posts/form.html", context)


def _preview(request: HttpRequest, text: str) -> dict:
    try:
        rendered = markdown.render(text)
    except markdown.RenderLimitError as exc:
        return {"body": "", "errors": [str(exc)]}
    draft = Post(user=request.user, html=rendered.html)
    draft.embeds = [e.to_attrs() for e in rendered.embeds]
    return {"body": _body(request, draft), "errors": rendered.errors}


@login_required
def post_new(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@login_required
def post_edit(request: HttpRequest, post_id) -> HttpResponse:
    post = _post_or_404(request, post_id)
    if not asset_can_edit(user=request.user, asset=post):
        raise Http404("No such post")
    return _editor(request, post)


@login_required
@require_POST
def post_preview(request: HttpRequest) -> HttpResponse:
    context = {"preview": _preview(request, request.POST.get("text", ""))}
    return render(request, "posts/form.html#preview", context)


@login_required
@require_POST
def post_publish_view(request: HttpRequest, post_id) -> HttpResponse:
    post = _post_or_404(request, post_id)
    if not asset_can_edit(user=request.user, asset=post):
        raise Http404("No such post")
    post_publish(post=post)
    messages.success(request, "Published.")
    return redirect("post_detail", post_id=post.pk)


def _slot(request: HttpRequest) -> int | None:
    try:
        return int(request.GET["slot"])
    except (KeyError, ValueError):
        return None


def _pinned_view(request: HttpRequest, post_id, action_id):
    """The post and its embed of the pinned action, as this reader sees them; 404 otherwise."""
    post = _post_or_404(request, post_id)
    try:
        view = post_embed_for_action(
            post=post, user=request.user, action_id=action_id, slot=_slot(request)
        )
    except LookupError:
        raise Http404("This post pins no such action") from None
    return post, view


def _pinned_run_unchanged(request: HttpRequest, post_id, action_id, since: str) -> bool:
    """Whether the run a reader's embed shows is still as it was (`since`, its change stamp):
    the post must be one the reader may see and must pin the run, and an overdue run is
    timed out first, which changes it."""
    post = _post_or_404(request, post_id)
    if not any(e.action_id == str(action_id) for e in post_embeds(post)):
        raise Http404("This post pins no such action")
    state = action_state(action_id=action_id)
    if state is None or action_expire_if_overdue(state):
        return False
    return state.change_stamp == since


@require_GET
def post_embed(request: HttpRequest, post_id, action_id) -> HttpResponse:
    """The polling endpoint: the same embed fragment the post page renders, or 204 while the
    pinned run has not changed since the stamp the reader's embed shows (`?since=`)."""
    since = request.GET.get("since")
    if since and _pinned_run_unchanged(request, post_id, action_id, since):
        return HttpResponse(status=204)
    post, view = _pinned_view(request, post_id, action_id)
    pinned_snapshots_record(post=post, views=[view])
    return render(request, EMBED_PARTIAL, {"e": view, "post": post})


@require_GET
def post_embed_verify(request: HttpRequest, post_id, action_id) -> HttpResponse:
    """Recompute the pinned action's digest from storage and compare it with the snapshot."""
    post, view = _pinned_view(request, post_id, action_id)
    if not view.available or view.action is None:
        raise Http404("This embed is not available")
    stored = pinned_snapshot(post=post, action=view.action)
    current = action_digest(action=view.action)
    context = {"stored": stored, "current": current, "matches": stored == current}
    return render(request, "posts/embeds.html#verify", context)


@login_required
@require_POST
def post_share_action_view(request: HttpRequest, action_id) -> HttpResponse:
    action = Action.objects.filter(pk=action_id).select_related("route").first()
    if action is None or not action_can_view(user=request.user, action=action):
        raise Http404("No such action")
    org = personal_org()
    try:
        post = post_share_action(user=request.user, action=action, org=org, team=org.default_team)
    except PostError as exc:
        messages.error(request, exc.message)
        return redirect(f"/actions/{action.pk}")
    messages.success(request, "A draft post with this run pinned: write around it and publish.")
    return redirect("post_edit", post_id=post.pk)


LINK_PAGES = {
    "action": "/actions/{id}",
    "file": "/files/{id}",
    "dataset": "/datasets/{id}",
    "post": "/posts/{id}",
    "service": "/services/{id}",
}


@require_GET
def asset_link(request: HttpRequest, kind: str, asset_id) -> HttpResponse:
    """Where an inline typed link (`[label](route:<id>)`) leads, for whoever may see it."""
    if kind not in markdown.LINK_KINDS:
        raise Http404("Not found")
    if kind == "action":
        action = Action.objects.filter(pk=asset_id).select_related("route").first()
        if action is None or not action_can_view(user=request.user, action=action):
            raise Http404("No such action")
        return redirect(LINK_PAGES["action"].format(id=action.pk))
    asset = Asset.objects.filter(pk=asset_id, asset_type=kind).select_related("parent").first()
    if asset is None or not asset_can_view(user=request.user, asset=asset):
        raise Http404("Not found")
    if kind == "route":
        return redirect(
            Route.objects.select_related("user", "org").get(pk=asset.pk).get_absolute_url()
        )
    return redirect(LINK_PAGES[kind].format(id=asset.pk))
