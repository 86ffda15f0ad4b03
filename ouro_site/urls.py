from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from apps.accounts.views import login_throttled
from apps.api import views as api_views

urlpatterns = [
    # The admin's log-in form counts and refuses failed log-ins as the site's own does.
    path("admin/login/", login_throttled(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/", include("ouro_site.api_urls")),
    path("", include("apps.accounts.urls")),
]

# Each app's pages live in its own `urls.py`, tried in this order: the live panel's polls first.
PAGE_URL_MODULES = (
    "apps.actions.urls",
    "apps.actions.callback_urls",
    "apps.assets.urls",
    "apps.routes.service_urls",
    "apps.routes.urls",
    "apps.posts.urls",
    "apps.billing.urls",
    "apps.social.urls",
)
urlpatterns += [path("", include(name)) for name in PAGE_URL_MODULES]


def handler404(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_views.not_found(request, exception)
    return render(request, "404.html", status=404)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_views.server_error(request)
    return render(request, "500.html", status=500)
