from django.urls import path, re_path

from apps.social import api_views as v

urlpatterns = [
    path("comments/create", v.comment_create_view),
    path("comments/<str:comment_id>", v.comment_detail_view),
    path("assets/impact", v.assets_impact_view),
    path("users/<str:name_or_id>/impact", v.user_impact_view),
    path("assets/<str:parent_id>/comments", v.thread_comments_view),
    path("assets/<str:asset_id>/connections", v.asset_connections_view),
    path("assets/<str:asset_id>/view", v.asset_view_view),
    path("assets/<str:asset_id>/counts", v.asset_counts_view),
    path("assets/<str:asset_id>/properties", v.asset_properties_view),
    path("user/notifications", v.notifications_view),
    path("user/notifications/unreads", v.notifications_unreads_view),
    path("user/notifications/read", v.notifications_read_many_view),
    path("user/notifications/<str:notification_id>", v.notification_read_view),
    re_path(r"^quests(?:/(?P<rest>.*))?$", v.quests_not_offered),
    re_path(r"^conversations(?:/(?P<rest>.*))?$", v.conversations_not_offered),
]
