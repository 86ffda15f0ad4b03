from tests.actions.conftest import (  # noqa: F401  (the same services and routes)
    echo_route,
    fail_route,
    hello_route,
    item_route,
    jobs_route,
    make_route,
    make_service,
    recorder,
    slow_route,
)
