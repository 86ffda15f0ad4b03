"""The pages: an asset's (or a run's) comments, loaded into its page by htmx, and the
notifications page. The same selectors and services as the API."""

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from apps.assets.selectors import asset_is_admin
from apps.posts.markdown import SLOT
from apps.social import selectors, services
from apps.social.models import Comment

MAX_COMMENT_CHARS = 20_000


def _thread_or_404(request: HttpRequest, parent_id: uuid.UUID) -> selectors.Thread:
    thread = selectors.thread_for_viewer(user=request.user, parent_id=parent_id)
    if thread is None or thread.comment is not None:
        raise Http404("Nothing to comment on")
    return thread


def _may_delete(user, comment: Comment) -> bool:
    if not user.is_authenticated:
        return False
    if comment.user_id == user.pk:
        return True
    holder = comment.target if comment.target_id else comment.action.route
    return asset_is_admin(user=user, asset=holder)


def _html(comment: Comment):
    """The comment's HTML, sanitised (nh3) when it was written; embeds are not shown here."""
    return mark_safe(SLOT.sub("", comment.html))  # noqa: S308 (sanitised when written)


def _rendered(request: HttpRequest, thread: selectors.Thread, *, error: str = "", status=200):
    rows = []
    for comment in selectors.thread_comments(thread):
        replies = selectors.thread_comments(selectors.Thread(comment=comment))
        rows.append(
            {
                "comment": comment,
                "html": _html(comment),
                "can_delete": _may_delete(request.user, comment),
                "replies": [
                    {
                        "comment": r,
                        "html": _html(r),
                        "can_delete": _may_delete(request.user, r),
                    }
                    for r in replies
                ],
            }
        )
    holder = thread.target if thread.target is not None else thread.action
    context = {"holder_id": holder.pk, "rows": rows, "error": error}
    return render(request, "social/_comments.html", context, status=status)


@require_GET
def comments_section(request: HttpRequest, parent_id: uuid.UUID) -> HttpResponse:
    """The comments of an asset's or a run's page; loading it counts a view of the asset."""
    thread = _thread_or_404(request, parent_id)
    if thread.target is not None:
        services.asset_view_record(asset=thread.target, user=request.user, source="web")
    return _rendered(request, thread)


@login_required
@require_POST
def comment_post(request: HttpRequest, parent_id: uuid.UUID) -> HttpResponse:
    thread = _thread_or_404(request, parent_id)
    text = request.POST.get("text", "")[: MAX_COMMENT_CHARS + 1]
    reply_to = request.POST.get("reply_to")
    target = thread
    if reply_to:
        try:
            parent = selectors.comment_for_viewer(user=request.user, comment_id=uuid.UUID(reply_to))
        except ValueError:
            parent = None
        holder = thread.target if thread.target is not None else thread.action
        if parent is None or holder.pk not in (parent.target_id, parent.action_id):
            raise Http404("No such comment")
        target = selectors.Thread(comment=parent)
    error = ""
    if len(text) > MAX_COMMENT_CHARS:
        error = f"A comment has at most {MAX_COMMENT_CHARS} characters"
    else:
        try:
            services.comment_create(user=request.user, thread=target, content=text)
        except services.CommentError as exc:
            error = exc.message
    if not request.htmx:
        return redirect(request.META.get("HTTP_REFERER") or "/")
    return _rendered(request, thread, error=error, status=400 if error else 200)


@login_required
@require_POST
def comment_delete(request: HttpRequest, comment_id: uuid.UUID) -> HttpResponse:
    comment = selectors.comment_for_viewer(user=request.user, comment_id=comment_id)
    if comment is None or not _may_delete(request.user, comment):
        raise Http404("No such comment")
    thread = selectors.Thread(target=comment.target, action=comment.action)
    services.comment_delete(comment=comment)
    if not request.htmx:
        return redirect(request.META.get("HTTP_REFERER") or "/")
    return _rendered(request, thread)


@login_required
@require_GET
def notifications_page(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.notifications_of(user=request.user, unread_only=unread_only)
    context = {"notifications": notifications[:100], "unread_only": unread_only}
    return render(request, "social/notifications.html", context)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: uuid.UUID) -> HttpResponse:
    services.notifications_mark_read(user=request.user, ids=[notification_id])
    return redirect("notifications")


@login_required
@require_GET
def notification_open(request: HttpRequest, notification_id: uuid.UUID) -> HttpResponse:
    """Mark it read and go to what it is about: the run, or the asset (a comment's asset)."""
    notification = selectors.notifications_of(user=request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404("No such notification")
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    if notification.action_id and notification.type != "mention":
        return redirect("action_detail", action_id=notification.action_id)
    asset = notification.asset
    if asset is not None and asset.asset_type == "comment":
        comment = Comment.objects.select_related("target").get(pk=asset.pk)
        if comment.action_id:
            return redirect("action_detail", action_id=comment.action_id)
        asset = comment.target
    if asset is None:
        return redirect("notifications")
    return redirect(f"/links/{asset.asset_type}/{asset.pk}")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    return redirect("notifications")
