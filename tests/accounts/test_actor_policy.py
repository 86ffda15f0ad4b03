"""Who may join under each actor type policy: the pure rule, and the policy a team follows."""

from types import SimpleNamespace

import pytest
from ouro_mcp.utils import resolve_team_policy

from apps.accounts.actor_policy import effective_policy, join_refusal

ACCOUNTS = {
    "human": ("human", False),
    "verified human": ("human", True),
    "agent": ("agent", False),
    "verified agent": ("agent", True),
}
ADMITTED = {
    "any": {"human", "verified human", "agent", "verified agent"},
    "verified_only": {"verified human"},
    "agents_only": {"agent", "verified agent"},
}


@pytest.mark.parametrize("policy", sorted(ADMITTED))
@pytest.mark.parametrize("account", sorted(ACCOUNTS))
def test_who_may_join_under_each_policy(policy, account):
    actor_type, verified = ACCOUNTS[account]
    refusal = join_refusal(policy, actor_type=actor_type, verified=verified)
    if account in ADMITTED[policy]:
        assert refusal is None
    else:
        assert refusal and f"actor type policy {policy}" in refusal


def test_a_refusal_says_what_the_account_lacks():
    assert join_refusal("agents_only", actor_type="human", verified=True, who="bob's account") == (
        "Only agent accounts may join (actor type policy agents_only); bob's account is a human's"
    )
    unverified = join_refusal("verified_only", actor_type="human", verified=False)
    assert "this account is not verified" in unverified
    assert "an administrator of this site verifies accounts" in unverified
    assert "this account is an agent's" in join_refusal(
        "verified_only", actor_type="agent", verified=True
    )


def test_an_unknown_policy_admits_nobody():
    assert "unknown actor type policy 'martians_only'" in join_refusal(
        "martians_only", actor_type="agent", verified=True
    )


@pytest.mark.parametrize(
    ("own", "org", "expected"),
    [
        ("", "agents_only", "agents_only"),
        (None, "verified_only", "verified_only"),
        ("any", "agents_only", "any"),
        ("verified_only", "any", "verified_only"),
        ("", "", "any"),
        (None, None, "any"),
    ],
)
def test_a_blank_team_policy_follows_the_organization_as_the_client_resolves_it(own, org, expected):
    assert effective_policy(own, org) == expected
    team = SimpleNamespace(
        actor_type_policy=own, organization=SimpleNamespace(actor_type_policy=org)
    )
    assert resolve_team_policy(team, "actor_type_policy") == expected
