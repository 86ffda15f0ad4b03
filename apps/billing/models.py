"""Wallets, the charges of paid runs, and the ledger of every balance change."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Wallet(models.Model):
    """A user's US-dollar balance in cents: what they may spend, and what running paid
    actions hold until they end."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="wallet"
    )
    available_cents = models.BigIntegerField(default=0)
    escrowed_cents = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(available_cents__gte=0), name="wallet_available_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(escrowed_cents__gte=0), name="wallet_escrowed_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.available_cents}c"

    @property
    def balance_cents(self) -> int:
        return self.available_cents + self.escrowed_cents


class UsageStatus(models.TextChoices):
    RESERVED = "reserved"
    CONFIRMED = "confirmed"
    RELEASED = "released"


class UsageRecord(models.Model):
    """The charge of one paid run: reserved when it starts, confirmed only if it succeeds,
    released otherwise. Kept when the action, the route or a user is deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    action = models.OneToOneField(
        "actions.Action",
        null=True,
        on_delete=models.SET_NULL,
        related_name="usage_record",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    route = models.ForeignKey(
        "routes.Route", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    route_name = models.CharField(max_length=300, blank=True)
    currency = models.CharField(max_length=8, default="usd")
    cost_unit = models.CharField(max_length=16)  # "call" or "seconds"
    unit_cost_cents = models.DecimalField(max_digits=18, decimal_places=6)
    # What was held when the run started; what it costs once settled (0 when released).
    reserved_quantity = models.PositiveIntegerField()
    reserved_cents = models.BigIntegerField()
    quantity = models.PositiveIntegerField(default=0)
    total_cents = models.BigIntegerField(default=0)
    status = models.CharField(max_length=16, choices=UsageStatus, default=UsageStatus.RESERVED)
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["creator", "-created_at"]),
            models.Index(fields=["route", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.route_name}: {self.total_cents}c {self.status}"


class AssetSale(models.Model):
    """A post, file or dataset sold for a one-time price (its visibility is "monetized"): anyone
    may find it and its price, its buyers may read it."""

    asset = models.OneToOneField(
        "assets.Asset", primary_key=True, on_delete=models.CASCADE, related_name="sale"
    )
    price_cents = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=8, default="usd")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_cents__gt=0), name="asset_sale_price_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.asset_id}: {self.price_cents}c"


class AssetPurchase(models.Model):
    """One buyer's purchase of an asset, paid once: it lets the buyer read the asset for good.
    Kept (with the name and price) when the asset or a user is deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    asset = models.ForeignKey(
        "assets.Asset", null=True, on_delete=models.SET_NULL, related_name="purchases"
    )
    asset_name = models.CharField(max_length=200)
    asset_type = models.CharField(max_length=16)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    price_cents = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=8, default="usd")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # No double purchase, whatever the timing: the second insert fails.
            models.UniqueConstraint(fields=["asset", "buyer"], name="one_purchase_per_buyer")
        ]
        indexes = [models.Index(fields=["buyer", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.asset_name}: {self.price_cents}c"


class LedgerKind(models.TextChoices):
    TOP_UP = "top_up"  # credited by an operator
    USAGE = "usage"  # a confirmed charge, paid
    EARNING = "earning"  # a confirmed charge, earned by the route's owner
    ADJUSTMENT = "adjustment"  # debited by an operator
    PURCHASE = "purchase"  # an asset bought, paid
    SALE = "sale"  # an asset bought, earned by its owner
    TIP_SENT = "tip_sent"  # money sent to another user
    TIP_RECEIVED = "tip_received"  # money another user sent


class LedgerEntry(models.Model):
    """One change of a wallet's balance, with the balance after it. Never edited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A deleted user's wallet goes with its entries; the charges and the other side's entries stay.
    wallet = models.ForeignKey(Wallet, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=16, choices=LedgerKind)
    amount_cents = models.BigIntegerField()  # + credit, - debit
    balance_after_cents = models.BigIntegerField()
    usage_record = models.ForeignKey(
        UsageRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    purchase = models.ForeignKey(
        AssetPurchase, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    counterparty = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["wallet", "-created_at"])]
