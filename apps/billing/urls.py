from django.urls import path

from apps.billing import views

urlpatterns = [
    path("wallet", views.wallet_page, name="wallet"),
    path("buy/<uuid:asset_id>", views.asset_buy_page, name="asset_buy"),
]
