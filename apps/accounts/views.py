import math
import uuid
from datetime import UTC, datetime, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.forms import ApiKeyForm, SignUpForm, TeamForm
from apps.accounts.models import ApiKey, Organization
from apps.accounts.selectors import (
    TeamAccess,
    team_actor_refusal,
    team_for_viewer,
    team_is_banned,
    team_join_requests,
    team_members,
    team_pending_join_request,
    teams_visible_to,
)
from apps.accounts.services import (
    TeamError,
    api_key_context,
    api_key_create,
    api_key_revoke,
    personal_org,
    team_create,
    team_join,
    team_join_request_approve,
    team_join_request_reject,
    team_leave,
)
from apps.accounts.throttle import client_address, login_retry_after

# The nonces of the key forms that made a key, kept in the session (the last few).
KEY_FORM_NONCES = "api_key_form_nonces"
KEY_FORM_NONCES_KEPT = 20


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def login_throttled(view):
    """A log-in view that refuses (429, saying when to try again) while the username or the
    address has had too many failed log-ins; the failures are counted as Django reports them
    (`user_login_failed`, connected in apps.py), a successful log-in clears its username's."""

    @wraps(view)
    def throttled(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST":
            username = request.POST.get("username", "")
            wait = login_retry_after(username, client_address(request))
            if wait:
                return _too_many_log_ins(request, username, wait)
        return view(request, *args, **kwargs)

    return throttled


def _too_many_log_ins(request: HttpRequest, username: str, wait: int) -> HttpResponse:
    minutes = math.ceil(wait / 60)
    until = datetime.now(UTC) + timedelta(seconds=wait)
    message = (
        "Too many failed log-ins for this account or from your network. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}, "
        f"after {until:%H:%M} UTC."
    )
    form = AuthenticationForm(request, initial={"username": username[:150]})
    context = {"form": form, "next": request.POST.get("next", ""), "throttled": message}
    response = render(request, "accounts/login.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        personal_org()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}.")
        return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    """The user's keys, and a form to create one, shown once in the answer. Each form carries a
    nonce, so that sending the same form again (a reload) does not make a second key."""
    form = ApiKeyForm(request.POST or None, user=request.user)
    new_key = None
    if request.method == "POST":
        nonce = request.POST.get("nonce", "")[:64]
        used = request.session.get(KEY_FORM_NONCES, [])
        if nonce and nonce in used:
            messages.info(
                request,
                "That form made its key already; a key is shown once only. Create another "
                "if you need one.",
            )
            return redirect("api_keys")
        if form.is_valid():
            bind = form.cleaned_data["bind"]
            org = api_key_context(user=request.user, bind=bind) if bind else None
            _, new_key = api_key_create(user=request.user, name=form.cleaned_data["name"], org=org)
            if nonce:
                request.session[KEY_FORM_NONCES] = [*used, nonce][-KEY_FORM_NONCES_KEPT:]
            messages.success(request, "Key created. Copy it now: it is not shown again.")
            form = ApiKeyForm(user=request.user)
    keys = request.user.api_keys.select_related("org")
    context = {"form": form, "keys": keys, "new_key": new_key, "nonce": uuid.uuid4().hex}
    return render(request, "accounts/api_keys.html", context)


@login_required
@require_POST
def api_key_revoke_view(request: HttpRequest, key_id) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=key_id, user=request.user)
    api_key_revoke(key=key)
    messages.success(request, f"Key “{key.name}” revoked.")
    return redirect("api_keys")


@login_required
def teams_page(request: HttpRequest) -> HttpResponse:
    """The teams one may see, and a form to create one."""
    form = TeamForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "org"}
        if not fields["actor_type_policy"]:
            del fields["actor_type_policy"]  # follows the organization's
        org = Organization.objects.get(pk=form.cleaned_data["org"])
        try:
            team = team_create(user=request.user, org=org, fields=fields)
        except TeamError as exc:
            form.add_error("name" if "name" in exc.code else None, exc.message)
        else:
            messages.success(request, f"Team {team.name} created.")
            return redirect("team_detail", team_id=team.pk)
    accesses = teams_visible_to(user=request.user)
    return render(request, "accounts/teams.html", {"form": form, "accesses": accesses})


def _team_access(request: HttpRequest, team_id) -> TeamAccess:
    access = team_for_viewer(user=request.user, team_id=team_id)
    if access is None:
        raise Http404("Team not found")
    return access


@login_required
def team_page(request: HttpRequest, team_id) -> HttpResponse:
    access = _team_access(request, team_id)
    team = access.team
    context = {
        "access": access,
        "team": team,
        "members": team_members(team),
        "pending": team_pending_join_request(team=team, user=request.user),
        "join_requests": team_join_requests(access=access, user=request.user)
        if access.can_moderate
        else [],
        "banned": team_is_banned(team=team, user=request.user),
        "actor_refusal": None if access.role else team_actor_refusal(team=team, user=request.user),
    }
    return render(request, "accounts/team.html", context)


def _team_action(request: HttpRequest, team_id, action) -> HttpResponse:
    """Run `action(access) -> message` on a team the user sees; its refusal is the message."""
    access = _team_access(request, team_id)
    try:
        messages.success(request, action(access))
    except TeamError as exc:
        messages.error(request, exc.message)
    return redirect("team_detail", team_id=access.team.pk)


@login_required
@require_POST
def team_join_page(request: HttpRequest, team_id) -> HttpResponse:
    def join(access: TeamAccess) -> str:
        if team_join(access=access, user=request.user) is not None:
            return "Your request to join was sent to the team's admins."
        return f"You are a member of {access.team.name}."

    return _team_action(request, team_id, join)


@login_required
@require_POST
def team_leave_page(request: HttpRequest, team_id) -> HttpResponse:
    def leave(access: TeamAccess) -> str:
        team_leave(access=access, user=request.user)
        return f"You are no longer in {access.team.name}."

    return _team_action(request, team_id, leave)


@login_required
@require_POST
def team_join_request_page(request: HttpRequest, team_id, request_id, decision: str):
    review = team_join_request_approve if decision == "approve" else team_join_request_reject

    def answer(access: TeamAccess) -> str:
        join_request = review(access=access, request_id=request_id)
        return f"{join_request.user.username}'s request was {join_request.status}."

    return _team_action(request, team_id, answer)
