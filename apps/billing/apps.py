from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "apps.billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.assets.market import Market, SaleError, market_register
        from apps.billing.pricing import PricingError, pricing_parse, sale_change
        from apps.billing.selectors import asset_bought, asset_sale_fields, assets_bought_ids
        from apps.billing.services import asset_sale_apply
        from apps.routes.pricing import price_parser_register

        price_parser_register(pricing_parse)

        def sale_check(fields):
            try:
                return sale_change(fields)
            except PricingError as exc:
                raise SaleError(exc.message) from None

        market_register(
            Market(
                bought_ids=assets_bought_ids,
                has_bought=asset_bought,
                sale_check=sale_check,
                sale_apply=asset_sale_apply,
                sale_fields=asset_sale_fields,
            )
        )
