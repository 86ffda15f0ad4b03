from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "apps.billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.billing.pricing import pricing_parse
        from apps.routes.pricing import price_parser_register

        price_parser_register(pricing_parse)
