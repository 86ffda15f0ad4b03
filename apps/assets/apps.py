from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "apps.assets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.assets.kinds import asset_kind_register
        from apps.assets.models import Dataset, File
        from apps.assets.serializers import dataset_dict, file_dict

        asset_kind_register("file", model=File, serialize=file_dict)
        asset_kind_register("dataset", model=Dataset, serialize=dataset_dict)
