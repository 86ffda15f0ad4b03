"""The execution fixtures (routes on the demo upstream, running actions) for API tests."""

from tests.actions.conftest import (  # noqa: F401 (fixtures)
    hello_route,
    jobs_route,
    make_route,
    make_service,
    running_action,
)
