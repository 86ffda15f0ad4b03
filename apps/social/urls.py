from django.urls import path

from apps.social import views

urlpatterns = [
    path("comments/<uuid:parent_id>", views.comments_section, name="comments"),
    path("comments/<uuid:parent_id>/new", views.comment_post, name="comment_post"),
    path("comments/<uuid:comment_id>/delete", views.comment_delete, name="comment_delete"),
    path("notifications", views.notifications_page, name="notifications"),
    path("notifications/read-all", views.notifications_read_all, name="notifications_read_all"),
    path(
        "notifications/<uuid:notification_id>/open",
        views.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/<uuid:notification_id>/read",
        views.notification_read,
        name="notification_read",
    ),
]
