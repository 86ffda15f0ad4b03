from django.urls import path

from apps.assets import views

urlpatterns = [
    path("files", views.file_list, name="file_list"),
    path("files/new", views.file_new, name="file_new"),
    path("files/signed/<str:token>", views.signed_download, name="signed_download"),
    path("files/upload/<str:token>", views.signed_upload, name="signed_upload"),
    path("files/<uuid:file_id>", views.file_detail, name="file_detail"),
    path("files/<uuid:file_id>/to-dataset", views.file_to_dataset, name="file_to_dataset"),
    path("datasets", views.dataset_list, name="dataset_list"),
    path("datasets/new", views.dataset_new, name="dataset_new"),
    path("datasets/<uuid:dataset_id>", views.dataset_detail, name="dataset_detail"),
    path("assets/<uuid:asset_id>/delete", views.asset_delete, name="asset_delete"),
]
