from django.urls import path

from apps.accounts import api_views

urlpatterns = [
    path("users/get-token", api_views.get_token),
    path("user", api_views.current_user),
    path("user/profile", api_views.current_profile),
    path("users/search", api_views.user_search),
    path("users/<str:name_or_id>", api_views.user_detail),
    path("organizations/user", api_views.organizations_of_user),
    path("organizations/discoverable", api_views.organizations_discoverable_list),
    path("organizations/context", api_views.organization_context),
    path("organizations/by-name/<str:name>", api_views.organization_by_name),
    path("organizations/<str:org_id>", api_views.organization_detail),
    path("teams", api_views.teams_list),
    path("teams/create", api_views.team_create_view),
    path("teams/<str:team_id>", api_views.team_detail),
    path("teams/<str:team_id>/join", api_views.team_join_view),
    path("teams/<str:team_id>/leave", api_views.team_leave_view),
    path("teams/<str:team_id>/join-requests", api_views.team_join_requests_list),
    path(
        "teams/<str:team_id>/join-requests/<str:request_id>/approve",
        api_views.team_join_request_review,
        {"decision": "approve"},
    ),
    path(
        "teams/<str:team_id>/join-requests/<str:request_id>/reject",
        api_views.team_join_request_review,
        {"decision": "reject"},
    ),
    path("teams/<str:team_id>/bans", api_views.team_bans),
    path("teams/<str:team_id>/bans/<str:user_id>", api_views.team_unban_view),
]
