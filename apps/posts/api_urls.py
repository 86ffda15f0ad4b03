from django.urls import path

from apps.posts import api_views as v

urlpatterns = [
    path("posts/create", v.post_create_view),
    path("posts/<str:post_id>", v.post_detail_view),
    path("utilities/convert/from-markdown", v.convert_from_markdown),
]
