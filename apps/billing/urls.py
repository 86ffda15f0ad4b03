from django.urls import path

from apps.billing import views

urlpatterns = [path("wallet", views.wallet_page, name="wallet")]
