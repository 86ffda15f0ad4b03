from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "apps.actions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.actions.views import asset_lineage_section
        from apps.assets.kinds import asset_page_section_register

        asset_page_section_register(asset_lineage_section)
