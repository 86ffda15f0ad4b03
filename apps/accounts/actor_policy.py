"""Who may join under an actor-type policy: a pure rule, without Django or models.

An account is a human's (`human`) or one a program acts through (`agent`); `verified` means an
administrator of this platform vouched for it (the platform makes no identity checks itself).

- `any`: everyone.
- `agents_only`: agent accounts only.
- `verified_only`: verified human accounts only. The official clients describe it as the
  policy that "blocks agents" (the other blocks humans), so an agent account is refused even
  when verified.

A team's policy is its own, or its organization's when the team's is blank.
"""

ANY = "any"
VERIFIED_ONLY = "verified_only"
AGENTS_ONLY = "agents_only"
HUMAN = "human"
AGENT = "agent"

REFUSAL_CODE = "actor_type_not_allowed"


def effective_policy(own: str | None, inherited: str | None) -> str:
    """A team's policy: its own, else its organization's, else `any`."""
    return own or inherited or ANY


def join_refusal(
    policy: str, *, actor_type: str, verified: bool, who: str = "this account"
) -> str | None:
    """Why an account (`who`) may not join under `policy`, a sentence naming the policy; None
    when it may."""
    if policy == ANY:
        return None
    if policy == AGENTS_ONLY:
        if actor_type == AGENT:
            return None
        return f"Only agent accounts may join (actor type policy agents_only); {who} is a human's"
    if policy == VERIFIED_ONLY:
        if actor_type == AGENT:
            return (
                "Only verified human accounts may join (actor type policy verified_only); "
                f"{who} is an agent's"
            )
        if verified:
            return None
        return (
            "Only verified accounts may join (actor type policy verified_only); "
            f"{who} is not verified: an administrator of this site verifies accounts"
        )
    return f"Nobody may join under the unknown actor type policy {policy!r}"
