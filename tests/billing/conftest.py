"""Paid routes on the demo upstream, owned by alice; bob pays to run them."""

import pytest

from apps.billing.services import wallet_adjust
from tests.actions.conftest import (  # noqa: F401  (fixtures)
    fail_route,
    hello_route,
    jobs_route,
    make_route,
    make_service,
)

PER_CALL = {"model": "per_call", "unit_cost": 0.05, "currency": "usd"}


@pytest.fixture
def paid_hello(hello_route):
    hello_route.pricing = PER_CALL
    hello_route.save()
    return hello_route


@pytest.fixture
def paid_fail(fail_route):
    fail_route.pricing = PER_CALL
    fail_route.save()
    return fail_route


@pytest.fixture
def paid_jobs(jobs_route):
    jobs_route.pricing = PER_CALL
    jobs_route.save()
    return jobs_route


@pytest.fixture
def fund():
    """fund(user, cents): credit a wallet as an operator would."""

    def credit(user, cents: int):
        return wallet_adjust(user=user, cents=cents, note="test funds")

    return credit
