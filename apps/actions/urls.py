from django.urls import path

from apps.actions import lineage_views, list_views, route_views, views

urlpatterns = [
    path("actions", list_views.action_list, name="action_list"),
    path("actions/compare", list_views.action_compare, name="action_compare"),
    path("actions/<uuid:action_id>", views.action_detail, name="action_detail"),
    path(
        "actions/<uuid:action_id>/lineage",
        lineage_views.action_lineage_graph,
        name="action_lineage_graph",
    ),
    path(
        "assets/<uuid:asset_id>/lineage",
        lineage_views.asset_lineage_graph,
        name="asset_lineage_graph",
    ),
    path("actions/<uuid:action_id>/panel", views.action_panel, name="action_panel"),
    path("assets/actions/<uuid:action_id>/outputs", views.action_outputs, name="action_outputs"),
    path("routes/<str:entity>/<str:name>", route_views.route_detail, name="route_detail"),
    path("routes/<str:entity>/<str:name>/run", route_views.route_run_view, name="route_run"),
]
