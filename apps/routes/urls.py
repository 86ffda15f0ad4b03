from django.urls import path

from apps.routes import views

urlpatterns = [
    path("routes", views.route_list, name="routes"),
    path("assets/<uuid:asset_id>/use", views.asset_use, name="asset_use"),
    path("assets/routes/<uuid:route_id>/related", views.route_related, name="route_related"),
]
