"""The caller's plan and adding funds, through the official ouro-py client against the live
server. A self-hosted platform sells no plans: everyone has the one plan, whose usage is real."""

import pytest

from apps.accounts.services import personal_org
from apps.assets.services import Owner, dataset_create, file_create

pytestmark = pytest.mark.django_db(transaction=True)


def _owner(user) -> Owner:
    org = personal_org()
    return Owner(user=user, org=org, team=org.default_team)


def test_the_plan_is_the_self_hosted_one_and_counts_what_the_caller_holds(
    ouro_client, alice, alice_key, bob, bob_key, settings
):
    settings.FILE_UPLOAD_MAX_BYTES = 4096
    ouro = ouro_client(alice_key)
    empty = ouro.users.plan()
    assert empty.plan_type == "self-hosted"
    assert {k: (u.used, u.limit) for k, u in empty.usage.items()} == {
        "storage": (0, -1),
        "assets": (0, -1),
        "datasets": (0, -1),
    }
    limits = empty.limits
    assert (limits.max_storage_bytes, limits.max_assets, limits.max_datasets) == (-1, -1, -1)
    assert limits.can_create_private_assets and limits.can_monetize
    assert limits.model_extra["maxFileBytes"] == 4096

    file_create(
        owner=_owner(alice), name="a", file_name="a.txt", content=b"12345", visibility="private"
    )
    gone = file_create(
        owner=_owner(alice), name="b", file_name="b.txt", content=b"123", visibility="public"
    )
    dataset_create(owner=_owner(alice), name="d", rows=[{"x": 1}], visibility="private")
    ouro.posts.create(name="A post", content_markdown="hi", visibility="public")
    ouro.files.delete(str(gone.pk))
    used = {k: u.used for k, u in ouro.users.plan().usage.items()}
    assert used == {"storage": 5, "assets": 3, "datasets": 1}
    # Each caller reads their own plan only.
    assert {k: u.used for k, u in ouro_client(bob_key).users.plan().usage.items()} == {
        "storage": 0,
        "assets": 0,
        "datasets": 0,
    }


def test_adding_funds_is_an_instruction_of_the_client_and_moves_nothing(
    ouro_client, bob, bob_key, fund
):
    fund(bob, 100)
    ouro = ouro_client(bob_key)
    # ouro-py builds this text itself, with no HTTP call: there is nothing for a server to do.
    text = ouro.money.add_funds()
    assert "To add USD funds" in text
    assert ouro.money.get_balance("usd").balance_cents == 100
    assert [t.type for t in ouro.money.get_transactions("usd")] == ["top_up"]
