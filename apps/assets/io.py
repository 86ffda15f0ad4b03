"""Route inputs and outputs as assets: the functions the execution engine calls.

The engine calls `input_assets_resolve` before creating an action (a mismatch is an error
before anything is sent upstream), `input_assets_inject` when building the upstream body, and
`output_assets_store` when a response (sync or callback) arrives.
"""

from dataclasses import dataclass
from typing import Any

from apps.assets.models import Asset


class InputAssetError(Exception):
    """A requested input asset is missing, unreadable or of the wrong kind."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


@dataclass(frozen=True)
class ResolvedInput:
    name: str  # the declared body key
    asset: Asset
    payload: Any  # what the upstream receives at that key


def input_assets_resolve(*, route, user, requested: dict[str, str]) -> list[ResolvedInput]:
    """Check and resolve the caller's `{name: asset_id}` against the route's declarations."""
    if requested:
        raise InputAssetError(next(iter(requested)), "this route declares no input assets")
    return []


def input_assets_inject(*, body: Any, resolved: list[ResolvedInput]) -> Any:
    """Place each resolved input at its declared body key."""
    if not resolved:
        return body
    body = dict(body or {})
    for item in resolved:
        body[item.name] = item.payload
    return body


def output_assets_store(*, action, response: Any) -> Any:
    """Turn declared output keys of a response into assets linked to the action.

    Returns the response to store (without base64 payloads).
    """
    return response
