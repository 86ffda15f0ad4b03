from django.urls import path

from apps.assets import api_views as v

urlpatterns = [
    path("files/upload", v.file_upload),
    path("files/upload-url", v.file_upload_url),
    path("files/upload/complete", v.file_upload_complete),
    path("files/create", v.file_create),
    path("files/<str:file_id>", v.file_detail),
    path("files/<str:file_id>/metadata", v.file_metadata),
    path("files/<str:file_id>/data", v.file_data),
    path("files/<str:file_id>/content", v.file_content),
    path("datasets/create/from-schema", v.dataset_create),
    path("datasets/<str:dataset_id>", v.dataset_detail),
    path("datasets/<str:dataset_id>/data", v.dataset_data),
    path("datasets/<str:dataset_id>/schema", v.dataset_schema),
    path("datasets/<str:dataset_id>/columns", v.dataset_columns),
    path("datasets/<str:dataset_id>/indexes", v.dataset_indexes),
    path("datasets/<str:dataset_id>/query-custom", v.dataset_query),
    path("datasets/<str:dataset_id>/columns/<str:column>", v.dataset_column),
    path("datasets/<str:dataset_id>/stats", v.dataset_stats),
    path("assets/<str:asset_id>/compatible-routes", v.asset_compatible_routes),
    path("assets/<str:asset_id>/actions", v.asset_actions),
    path("assets/<str:asset_id>/connections", v.asset_connections),
    path("assets/<str:asset_id>/lineage", v.asset_lineage),
    path("assets/<str:asset_id>/children", v.asset_children),
    path("assets/<str:asset_id>/counts", v.asset_counts),
    path("assets/<str:asset_id>/tags", v.asset_tags),
    path("assets/<str:asset_id>/download-url", v.asset_download_url),
    path("assets/<str:asset_id>/download", v.asset_download),
    path("assets/<str:asset_id>/share", v.asset_share),
    path("search/assets", v.search_assets),
]
