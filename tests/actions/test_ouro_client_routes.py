"""The official ouro-py client against the live server: retrieve, execute, poll, list, stats."""

import pytest
from ouro import ExternalServiceError

pytestmark = pytest.mark.django_db(transaction=True)


def test_retrieve_by_name_then_execute_sync_with_path_and_query(ouro_client, alice_key, item_route):
    ouro = ouro_client(alice_key)
    route = ouro.routes.retrieve("alice/get-item")
    assert str(route.id) == str(item_route.pk)
    action = route.execute(params={"item_id": "2"}, query={"currency": "EUR", "verbose": True})
    assert action.status == "success"
    assert action.final_data == {
        "id": "2",
        "name": "Gadget",
        "price": 21.6,
        "tags": ["tools", "electronics"],
        "currency": "EUR",
    }
    assert action.upstream_status_code == 200
    assert action.metadata["parameters"] == {"item_id": "2"}
    assert route.metrics is not None


def test_a_failing_upstream_returns_the_errored_action_or_raises(
    ouro_client, alice_key, fail_route
):
    ouro = ouro_client(alice_key)
    action = ouro.routes.execute(str(fail_route.pk))
    assert action.status == "error"
    assert action.response["error"]["code"] == "external_service_error"
    with pytest.raises(ExternalServiceError) as caught:
        ouro.routes.execute(str(fail_route.pk), raise_on_error=True)
    assert caught.value.status_code == 500
    assert caught.value.retryable is True


def test_a_sync_run_past_its_wait_is_polled_to_the_end(ouro_client, alice_key, slow_route):
    slow_route.sync_timeout_seconds = 1
    slow_route.save()
    ouro = ouro_client(alice_key)
    action = ouro.routes.execute(
        str(slow_route.pk), query={"seconds": 2}, poll_interval=0.3, poll_timeout=30
    )
    assert action.status == "success"
    assert action.response == {"slept": 2}


def test_an_async_route_without_waiting_returns_a_handle_to_poll(
    ouro_client, alice_key, jobs_route
):
    ouro = ouro_client(alice_key)
    handle = ouro.routes.execute(str(jobs_route.pk), body={"steps": 2, "delay": 0.1}, wait=False)
    assert handle.status in ("queued", "in-progress")
    done = ouro.routes.poll_action(str(handle.id), poll_interval=0.3, timeout=30)
    assert done.status == "success"
    assert done.response == {"steps": 2, "result": 3}
    assert ouro.routes.retrieve_action(str(handle.id)).status == "success"


def test_actions_are_listed_paged_and_counted(ouro_client, alice_key, hello_route):
    ouro = ouro_client(alice_key)
    route = ouro.routes.retrieve(str(hello_route.pk))
    for name in ("a", "b", "c"):
        route.execute(query={"name": name})
    page = ouro.routes.list_actions(route, limit=2)
    assert len(page.data) == 2 and page.has_more
    assert route.read_actions().data[0].status == "success"
    mine = ouro.routes.list_my_actions(status="success", limit=10)
    assert len(mine.data) == 3
    stats = route.read_stats()
    assert (stats.total, stats.user_total, stats.in_progress) == (3, 3, [])
