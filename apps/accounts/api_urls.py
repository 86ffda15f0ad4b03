from django.urls import path

from apps.accounts import api_views

urlpatterns = [
    path("users/get-token", api_views.get_token),
    path("user", api_views.current_user),
    path("user/profile", api_views.current_profile),
    path("users/search", api_views.user_search),
    path("users/<str:name_or_id>", api_views.user_detail),
    path("organizations/user", api_views.organizations_of_user),
    path("teams", api_views.teams_of_user),
    path("teams/<str:team_id>", api_views.team_detail),
    path("organizations/context", api_views.organization_context),
    path("organizations/<str:org_id>", api_views.organization_detail),
]
