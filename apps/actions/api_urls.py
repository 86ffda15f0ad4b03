from django.urls import path

from apps.actions import api_views

urlpatterns = [
    path("services/<str:service_id>/routes/<str:route_id>/use", api_views.route_use),
    path("services/<str:service_id>/routes/<str:route_id>/actions", api_views.route_action_list),
    path("routes/<str:route_id>/stats", api_views.route_stats_view),
    path("routes/<str:route_id>", api_views.route_detail),
    path("actions", api_views.my_actions),
    path("assets/<str:asset_id>/actions", api_views.asset_actions_view),
    path("assets/<str:asset_id>/lineage", api_views.asset_lineage_view),
    path("actions/<str:action_id>", api_views.action_detail),
]
