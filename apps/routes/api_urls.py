from django.urls import path

from apps.routes import api_views

urlpatterns = [
    path("services/<str:service_id>/routes/create", api_views.route_create_view),
    path("services/<str:service_id>/routes/<str:route_id>", api_views.route_update_view),
    path("elements/common/name-to-id", api_views.name_to_id),
    path("assets/<str:asset_id>/compatible-routes", api_views.asset_compatible_routes),
    path("assets/<str:asset_id>/tags", api_views.asset_tags),
]
