from django.contrib.auth import views as auth_views
from django.urls import path

from apps.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("signup", views.signup, name="signup"),
    path(
        "login",
        views.login_throttled(auth_views.LoginView.as_view(template_name="accounts/login.html")),
        name="login",
    ),
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/api-keys", views.api_keys, name="api_keys"),
    path(
        "settings/api-keys/<uuid:key_id>/revoke", views.api_key_revoke_view, name="api_key_revoke"
    ),
    path("teams", views.teams_page, name="teams"),
    path("teams/<uuid:team_id>", views.team_page, name="team_detail"),
    path("teams/<uuid:team_id>/join", views.team_join_page, name="team_join"),
    path("teams/<uuid:team_id>/leave", views.team_leave_page, name="team_leave"),
    path(
        "teams/<uuid:team_id>/requests/<uuid:request_id>/approve",
        views.team_join_request_page,
        {"decision": "approve"},
        name="team_request_approve",
    ),
    path(
        "teams/<uuid:team_id>/requests/<uuid:request_id>/reject",
        views.team_join_request_page,
        {"decision": "reject"},
        name="team_request_reject",
    ),
]
