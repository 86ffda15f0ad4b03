from django.urls import path

from apps.billing import api_views

urlpatterns = [
    path("services/<str:service_id>/routes/<str:route_id>/cost", api_views.route_cost),
    path("user/plan-info", api_views.plan_info),
    path("stripe/wallet/balance", api_views.balance),
    path("stripe/wallet/transactions", api_views.transactions),
    path("stripe/wallet/pending-earnings", api_views.pending_earnings),
    path("stripe/usage/history", api_views.usage_history),
    path("stripe/wallet/tip", api_views.tip),
    path("stripe/wallet/purchase-asset", api_views.purchase_asset),
    path("wallet/deposit-address", api_views.deposit_address),
    *(
        path(f"wallet/{name}", api_views.bitcoin_wallet)
        for name in ("balance", "transactions", "send-sats", "purchase-asset")
    ),
]
