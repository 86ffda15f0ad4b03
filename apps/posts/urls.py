from django.urls import path

from apps.posts import picker_views, views

urlpatterns = [
    path("posts", views.posts_list, name="posts"),
    path("posts/new", views.post_new, name="post_new"),
    path("posts/preview", views.post_preview, name="post_preview"),
    path("posts/embed-picker", picker_views.post_embed_picker, name="post_embed_picker"),
    path("posts/share/<uuid:action_id>", views.post_share_action_view, name="post_share_action"),
    path("posts/<uuid:post_id>", views.post_detail, name="post_detail"),
    path("posts/<uuid:post_id>/edit", views.post_edit, name="post_edit"),
    path("posts/<uuid:post_id>/publish", views.post_publish_view, name="post_publish"),
    path("posts/<uuid:post_id>/embeds/<uuid:action_id>", views.post_embed, name="post_embed"),
    path(
        "posts/<uuid:post_id>/embeds/<uuid:action_id>/verify",
        views.post_embed_verify,
        name="post_embed_verify",
    ),
    path(
        "links/<str:kind>/<uuid:asset_id>",
        views.asset_link,
        name="asset_link",
    ),
]
