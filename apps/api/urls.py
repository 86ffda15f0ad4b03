"""Everything under /api. Each app adds its endpoints in its own `api_urls.py`."""

from importlib import import_module

from django.urls import include, path, re_path

from apps.api import views

urlpatterns = [
    path("users/get-token", views.get_token),
    path("user", views.current_user),
    path("user/profile", views.current_profile),
    path("users/search", views.user_search),
    path("users/<str:name_or_id>", views.user_detail),
    path("organizations/user", views.organizations_of_user),
    path("teams", views.teams_of_user),
    path("teams/<str:team_id>", views.team_detail),
    path("organizations/context", views.organization_context),
    path("organizations/<str:org_id>", views.organization_detail),
    path("assets/<str:asset_id>/type", views.asset_type),
]

# The resolver tries them in this order: runs, polls and callbacks (most requests) first.
API_URL_MODULES = (
    "apps.actions.api_urls",
    "apps.actions.callback_api_urls",
    "apps.assets.api_urls",
    "apps.services.api_urls",
    "apps.routes.api_urls",
    "apps.posts.api_urls",
    "apps.billing.api_urls",
)

for name in API_URL_MODULES:
    try:
        module = import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        continue
    urlpatterns.append(path("", include(module)))

urlpatterns.append(re_path(r"^.*$", views.not_found))
