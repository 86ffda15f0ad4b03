from django.urls import path

from apps.routes import views

urlpatterns = [
    path("routes", views.route_list, name="routes"),
    path("routes/<str:entity>/<str:name>", views.route_detail, name="route_detail"),
    path("routes/<str:entity>/<str:name>/run", views.route_run_view, name="route_run"),
]
