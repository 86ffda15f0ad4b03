from django.urls import path

from apps.actions import callback_views

urlpatterns = [
    path(
        "actions/<uuid:action_id>/cancel", callback_views.action_cancel_page, name="action_cancel"
    ),
    path(
        "actions/<uuid:action_id>/deliveries",
        callback_views.action_deliveries,
        name="action_deliveries",
    ),
]
