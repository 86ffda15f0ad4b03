"""Assets for sale: what the asset selectors and views ask of the app that sells them.

A post, file or dataset whose visibility is "monetized" is listed to everyone with its price
and read only by those who may read a private asset (its owner, the users it is shared with)
and its buyers. Billing keeps the prices and the purchases; it is above this app, so it
registers here at start-up, in its AppConfig.ready(), and this app never imports it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

MONETIZED = "monetized"
SELLABLE_TYPES = ("post", "file", "dataset")


class SaleError(ValueError):
    """A price a client sent with an asset that cannot be stored; the message says why."""


@dataclass(frozen=True)
class Market:
    # user -> the ids of the assets they bought (a subquery, or a list)
    bought_ids: Callable[[Any], Any]
    # (user, asset id) -> whether they bought it
    has_bought: Callable[[Any, Any], bool]
    # the client's fields of an asset -> the checked change of its sale (None: none asked),
    # or SaleError; called before anything is written
    sale_check: Callable[[Mapping], Any]
    # (asset, checked change) -> stores it, in the transaction that writes the asset
    sale_apply: Callable[[Any, Any], None]
    # asset -> its price fields in the JSON of the Ouro contract
    sale_fields: Callable[[Any], dict]


_MARKET: Market | None = None


def market_register(market: Market) -> None:
    global _MARKET
    _MARKET = market


def bought_ids(user) -> Any:
    if _MARKET is None or user is None or not user.is_authenticated:
        return []
    return _MARKET.bought_ids(user)


def has_bought(user, asset) -> bool:
    if _MARKET is None or user is None or not user.is_authenticated:
        return False
    return asset.asset_type in SELLABLE_TYPES and _MARKET.has_bought(user, asset.pk)


def sale_check(fields: Mapping) -> Any:
    """The sale asked for with an asset's fields (visibility "monetized" and a price), checked;
    SaleError when it cannot be, None when none was asked for."""
    if _MARKET is None:
        if fields.get("visibility") == MONETIZED:
            raise SaleError("Assets cannot be sold on this server")
        return None
    return _MARKET.sale_check(fields)


def sale_apply(asset, change) -> None:
    if _MARKET is not None and change is not None:
        _MARKET.sale_apply(asset, change)


def sale_fields(asset) -> dict:
    """The price fields of an asset for sale; none for the others."""
    if _MARKET is None or asset.visibility != MONETIZED:
        return {}
    return _MARKET.sale_fields(asset)
