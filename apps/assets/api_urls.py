from django.urls import path

from apps.assets.api_views import assets, datasets, files

urlpatterns = [
    path("files/upload", files.file_upload),
    path("files/upload-url", files.file_upload_url),
    path("files/upload/complete", files.file_upload_complete),
    path("files/create", files.file_create),
    path("files/<str:file_id>", files.file_detail),
    path("files/<str:file_id>/metadata", files.file_metadata),
    path("files/<str:file_id>/data", files.file_data),
    path("files/<str:file_id>/content", files.file_content),
    path("datasets/create/from-schema", datasets.dataset_create),
    path("datasets/<str:dataset_id>", datasets.dataset_detail),
    path("datasets/<str:dataset_id>/data", datasets.dataset_data),
    path("datasets/<str:dataset_id>/schema", datasets.dataset_schema),
    path("datasets/<str:dataset_id>/columns", datasets.dataset_columns),
    path("datasets/<str:dataset_id>/indexes", datasets.dataset_indexes),
    path("datasets/<str:dataset_id>/indexes/<str:name>", datasets.dataset_index),
    path("datasets/<str:dataset_id>/query-custom", datasets.dataset_query),
    path("datasets/<str:dataset_id>/columns/<str:column>", datasets.dataset_column),
    path("datasets/<str:dataset_id>/stats", datasets.dataset_stats),
    path("datasets/<str:dataset_id>/permissions", datasets.dataset_permissions),
    path("datasets/<str:dataset_id>/visualizations", datasets.dataset_views),
    path("datasets/<str:dataset_id>/visualizations/<str:view_id>", datasets.dataset_view),
    path("assets/<str:asset_id>/type", assets.asset_type),
    path("assets/<str:asset_id>/children", assets.asset_children),
    path("assets/<str:asset_id>/download-url", assets.asset_download_url),
    path("assets/<str:asset_id>/download", assets.asset_download),
    path("assets/<str:asset_id>/share", assets.asset_share),
    path("search/assets", assets.search_assets),
]
