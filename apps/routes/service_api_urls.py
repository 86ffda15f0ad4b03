from django.urls import path

from apps.routes import service_api_views as api_views

urlpatterns = [
    path("services", api_views.service_list),
    path("services/create/from-file", api_views.service_create_from_file),
    path("services/create/from-form", api_views.service_create_from_form),
    path("services/<str:service_id>", api_views.service_detail),
    path("services/<str:service_id>/update/from-file", api_views.service_update_from_file),
    path("services/<str:service_id>/spec", api_views.service_spec),
    path("services/<str:service_id>/routes", api_views.service_route_list),
    path("services/<str:service_id>/authentication", api_views.service_authentication),
]
