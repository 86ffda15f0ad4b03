"""The API's own description: the OpenAPI document and its reference page."""

from django.urls import path

from apps.api import views

urlpatterns = [
    path("schema", views.SchemaView.as_view(), name="api_schema"),
    path("docs", views.docs, name="api_docs"),
]
