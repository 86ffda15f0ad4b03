"""Everything under /api. Each app adds its endpoints in its own `api_urls.py`."""

from importlib import import_module

from django.urls import include, path, re_path

from apps.api import views

urlpatterns = [
    path("users/get-token", views.get_token),
    path("user", views.current_user),
    path("user/profile", views.current_profile),
    path("organizations/user", views.organizations_of_user),
    path("organizations/context", views.organization_context),
    path("organizations/<str:org_id>", views.organization_detail),
    path("assets/<str:asset_id>/type", views.asset_type),
]

for app in ("assets", "services", "routes", "actions", "posts"):
    try:
        module = import_module(f"apps.{app}.api_urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"apps.{app}.api_urls":
            raise
        continue
    urlpatterns.append(path("", include(module)))

urlpatterns.append(re_path(r"^.*$", views.not_found))
