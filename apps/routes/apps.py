from django.apps import AppConfig


class RoutesConfig(AppConfig):
    name = "apps.routes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.assets.kinds import asset_kind_register, asset_page_section_register
        from apps.routes.models import Route
        from apps.routes.serializers import route_brief_dict
        from apps.routes.views import chain_choices

        asset_kind_register("route", model=Route, serialize=route_brief_dict)
        asset_page_section_register(
            lambda *, asset, user: {"choices": chain_choices(asset=asset, user=user)}
        )
