import math
from datetime import UTC, datetime, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.forms import ApiKeyForm, SignUpForm
from apps.accounts.models import ApiKey
from apps.accounts.services import api_key_context, api_key_create, api_key_revoke, personal_org
from apps.accounts.throttle import client_address, login_retry_after


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
    form = ApiKeyForm(request.POST or None, user=request.user)
    new_key = None
    if request.method == "POST" and form.is_valid():
        bind = form.cleaned_data["bind"]
        org = api_key_context(user=request.user, bind=bind) if bind else None
        _, new_key = api_key_create(user=request.user, name=form.cleaned_data["name"], org=org)
        messages.success(request, "Key created. Copy it now: it is not shown again.")
        form = ApiKeyForm(user=request.user)
    keys = request.user.api_keys.select_related("org")
    return render(
        request, "accounts/api_keys.html", {"form": form, "keys": keys, "new_key": new_key}
    )


@login_required
@require_POST
def api_key_revoke_view(request: HttpRequest, key_id) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=key_id, user=request.user)
    api_key_revoke(key=key)
    messages.success(request, f"Key “{key.name}” revoked.")
    return redirect("api_keys")
