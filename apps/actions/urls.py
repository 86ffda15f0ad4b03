from django.urls import path

from apps.actions import views

urlpatterns = [
    path("actions/<uuid:action_id>", views.action_detail, name="action_detail"),
    path("actions/<uuid:action_id>/panel", views.action_panel, name="action_panel"),
]
