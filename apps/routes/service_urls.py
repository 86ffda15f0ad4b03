from django.urls import path

from apps.routes import service_views as views

urlpatterns = [
    path("services", views.service_list, name="service_list"),
    path("services/new", views.service_new, name="service_new"),
    path("services/new/preview", views.service_new_preview, name="service_new_preview"),
    path("services/<uuid:service_id>", views.service_detail, name="service_detail"),
    path("services/<uuid:service_id>/edit", views.service_edit, name="service_edit"),
    path("services/<uuid:service_id>/resync", views.service_resync_view, name="service_resync"),
    path("services/<uuid:service_id>/delete", views.service_delete_view, name="service_delete"),
    path(
        "services/<uuid:service_id>/routes/new", views.service_route_new, name="service_route_new"
    ),
    path(
        "services/<uuid:service_id>/routes/<uuid:route_id>/edit",
        views.service_route_edit,
        name="service_route_edit",
    ),
]
