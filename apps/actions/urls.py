from django.urls import path

from apps.actions import route_views, views

urlpatterns = [
    path("actions/<uuid:action_id>", views.action_detail, name="action_detail"),
    path("actions/<uuid:action_id>/panel", views.action_panel, name="action_panel"),
    path("assets/actions/<uuid:action_id>/outputs", views.action_outputs, name="action_outputs"),
    path("routes/<str:entity>/<str:name>", route_views.route_detail, name="route_detail"),
    path("routes/<str:entity>/<str:name>/run", route_views.route_run_view, name="route_run"),
]
