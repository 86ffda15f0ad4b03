"""Paid routes on the demo upstream, owned by alice; bob pays to run them."""

import pytest

from apps.billing.services import wallet_adjust
from apps.routes.models import ExecutionMode
from tests.actions.conftest import make_route, make_service  # noqa: F401  (fixtures)
from tests.assets.conftest import CSV

PER_CALL = {"model": "per_call", "unit_cost": 0.05, "currency": "usd"}
NAME = {"name": "name", "in": "query", "schema": {"type": "string", "maxLength": 100}}


@pytest.fixture
def paid_route(make_route):  # noqa: F811  (the fixture imported above)
    """paid_route(method, path, ...): a route of alice's, $0.05 a run unless priced otherwise."""

    def build(method: str, path: str, **fields):
        return make_route(method, path, **{"pricing": PER_CALL, **fields})

    return build


@pytest.fixture
def paid_hello(paid_route):
    return paid_route("GET", "/hello", name="hello", parameters=[NAME])


@pytest.fixture
def paid_fail(paid_route):
    return paid_route("GET", "/fail", name="fail")


@pytest.fixture
def paid_jobs(paid_route):
    return paid_route("POST", "/jobs", name="jobs", execution_mode=ExecutionMode.ASYNC)


@pytest.fixture(autouse=True)
def _books_balance(request):
    """After every billing test that touched the database: each wallet matches its ledger and
    its holds match the running charges (what `manage.py billing_audit` checks)."""
    yield
    if request.node.get_closest_marker("django_db") is None:
        return
    if request.node.get_closest_marker("books_unbalanced") is not None:
        return
    from apps.billing.selectors import ledger_discrepancies

    assert ledger_discrepancies() == []


@pytest.fixture
def fund():
    """fund(user, cents): credit a wallet as an operator would."""

    def credit(user, cents: int):
        return wallet_adjust(user=user, cents=cents, note="test funds")

    return credit


@pytest.fixture
def alice_ouro(ouro_client, alice_key):
    return ouro_client(alice_key)


@pytest.fixture
def bob_ouro(ouro_client, bob_key):
    return ouro_client(bob_key)


@pytest.fixture
def charlie_ouro(ouro_client, charlie_key):
    return ouro_client(charlie_key)


@pytest.fixture
def sold_post(alice_ouro):
    """A post of alice's for sale at $2.50, made through the official client."""
    return alice_ouro.posts.create(
        name="Phase diagram notes",
        content="# Fe-Ni\n\nThe secret: anneal at 650 K.",
        visibility="monetized",
        monetization="pay-to-unlock",
        price=2.5,
        price_currency="usd",
    )


@pytest.fixture
def sold_file_and_dataset(alice_ouro):
    """A file of alice's for sale at $0.99 and a dataset at $12, made through the client."""
    file = alice_ouro.files.create(
        name="People",
        visibility="monetized",
        file_content=CSV,
        file_name="people.csv",
        monetization="pay-to-unlock",
        price_usd=0.99,
    )
    dataset = alice_ouro.datasets.create(
        name="Scores",
        visibility="monetized",
        data=[{"name": "a", "score": 1.5}],
        monetization="pay-to-unlock",
        price=12,
        price_currency="usd",
    )
    return file, dataset
