"""Everything under /api. Each app adds its endpoints in its own `api_urls.py`."""

from django.urls import include, path, re_path

from apps.api import views

# The resolver tries them in this order: runs, polls and callbacks (most requests) first.
API_URL_MODULES = (
    "apps.api.urls",
    "apps.actions.api_urls",
    "apps.actions.callback_api_urls",
    "apps.actions.team_api_urls",
    "apps.accounts.api_urls",
    "apps.assets.api_urls",
    "apps.social.api_urls",
    "apps.routes.service_api_urls",
    "apps.routes.api_urls",
    "apps.posts.api_urls",
    "apps.billing.api_urls",
)

urlpatterns = [path("", include(name)) for name in API_URL_MODULES]
urlpatterns.append(re_path(r"^.*$", views.not_found))
