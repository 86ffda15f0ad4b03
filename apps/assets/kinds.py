"""The kinds of asset that apps above this one add (routes, posts): each kind's model and, where
it has one, its JSON shape in listings.

The assets app holds what every kind shares and never imports the apps that build on it: they
register their kinds here at start-up, in their AppConfig.ready().
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AssetKind:
    model: type
    serialize: Callable[[Any], dict] | None = None  # None: listed as the shared asset base


_KINDS: dict[str, AssetKind] = {}


def asset_kind_register(
    asset_type: str, *, model: type, serialize: Callable[[Any], dict] | None = None
) -> None:
    _KINDS[asset_type] = AssetKind(model=model, serialize=serialize)


def asset_kind(asset_type: str) -> AssetKind | None:
    return _KINDS.get(asset_type)


# What the apps above add to a file's or dataset's page (the routes that take it next, its
# lineage): each a function (asset, user) -> template context, registered at start-up.
_PAGE_SECTIONS: list[Callable[..., dict]] = []


def asset_page_section_register(section: Callable[..., dict]) -> None:
    _PAGE_SECTIONS.append(section)


def asset_page_sections(*, asset, user) -> dict:
    context: dict = {}
    for section in _PAGE_SECTIONS:
        context.update(section(asset=asset, user=user))
    return context


# What a reference column of a dataset may name besides assets (actions, added by the actions
# app): kind -> a function (user, ids) -> {id: what the reader sees of it}, for the ids that
# exist and the user may see.
_REFERENCE_KINDS: dict[str, Callable[..., dict]] = {}


def reference_kind_register(kind: str, resolve: Callable[..., dict]) -> None:
    _REFERENCE_KINDS[kind] = resolve


def reference_kind(kind: str) -> Callable[..., dict] | None:
    return _REFERENCE_KINDS.get(kind)


# How often an asset was viewed and commented on (the social app counts them), for the shapes
# of the apps below it that carry the counts (a post's `views` and `comments`).
_ENGAGEMENT: list[Callable[[Any], dict]] = []


def asset_engagement_register(counter: Callable[[Any], dict]) -> None:
    _ENGAGEMENT.append(counter)


def asset_engagement(asset) -> dict:
    counts = {"views": 0, "comments": 0}
    for counter in _ENGAGEMENT:
        counts.update(counter(asset))
    return counts
