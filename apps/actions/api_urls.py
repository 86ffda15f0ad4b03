from django.urls import path

from apps.actions import api_views

urlpatterns = [
    path("services/<str:service_id>/routes/<str:route_id>/use", api_views.route_use),
    path("services/<str:service_id>/routes/<str:route_id>/actions", api_views.route_action_list),
    path("routes/<str:route_id>/stats", api_views.route_stats_view),
    path("actions", api_views.my_actions),
    path("actions/<str:action_id>", api_views.action_detail),
]
