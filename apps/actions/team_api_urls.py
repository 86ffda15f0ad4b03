from django.urls import path

from apps.actions import team_api_views

# Before the accounts' `teams/<team_id>`, which would take `teams/unreads` for an id.
urlpatterns = [
    path("teams/unreads", team_api_views.team_unreads_view),
    path("teams/<str:team_id>/activity", team_api_views.team_activity_view),
]
