from django.urls import path

from apps.actions import callback_api_views as views

urlpatterns = [
    path("actions/<str:action_id>/webhook", views.action_webhook),
    path("actions/<str:action_id>/log", views.action_log),
    path("actions/<str:action_id>/logs", views.action_logs),
    path("actions/<str:action_id>/cancel", views.action_cancel_view),
]
