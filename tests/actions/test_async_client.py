"""The official client against the live server, on an async route the demo upstream finishes
through its webhook: execute with and without waiting, poll_action, logs written and read."""

import pytest
from ouro import ExternalServiceError

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ouro(ouro_client, live_site, alice_key):
    return ouro_client(alice_key)


def test_execute_waits_for_the_callback_when_asked_to(ouro, jobs_route):
    action = ouro.routes.execute(
        str(jobs_route.pk), body={"steps": 2, "delay": 0.2}, poll_interval=0.2, poll_timeout=60
    )
    assert action.status == "success"
    assert action.final_data == {"steps": 2, "result": 3}
    assert action.upstream_status_code == 202
    assert action.ack_at is not None and action.finished_at is not None


def test_execute_without_waiting_returns_the_running_action_to_poll(ouro, jobs_route):
    action = ouro.routes.execute(str(jobs_route.pk), body={"steps": 1, "delay": 0.3}, wait=False)
    assert action.status in ("queued", "in-progress")
    done = ouro.routes.poll_action(str(action.id), poll_interval=0.2, timeout=60)
    assert done.status == "success"
    assert done.response == {"steps": 1, "result": 1}
    again = action.wait(poll_interval=0.2, timeout=10)
    assert again.id == done.id and again.status == "success"


def test_a_failed_job_raises_the_upstreams_message_when_asked_to(ouro, jobs_route):
    with pytest.raises(ExternalServiceError, match="the job failed"):
        ouro.routes.execute(
            str(jobs_route.pk),
            body={"steps": 1, "delay": 0.2, "fail": True},
            poll_interval=0.2,
            poll_timeout=60,
            raise_on_error=True,
        )


def test_log_lines_written_by_the_caller_are_read_back_in_order(ouro, jobs_route):
    action = ouro.routes.execute(
        str(jobs_route.pk), body={"steps": 2, "delay": 0.2}, poll_interval=0.2, poll_timeout=60
    )
    action.log("first note")
    action.log("second note", level="warning")
    action.log("third note")

    oldest_first = [line.message for line in action.read_logs(sort_order="asc").data]
    mine = [m for m in oldest_first if m.endswith("note")]
    assert mine == ["first note", "second note", "third note"]
    upstream = [m for m in oldest_first if m.startswith("step ")]
    assert upstream == ["step 1 of 2 done", "step 2 of 2 done"]
    assert oldest_first.index("step 2 of 2 done") < oldest_first.index("first note")

    newest_first = action.read_logs(limit=2)
    assert [line.message for line in newest_first.data] == ["third note", "second note"]
    assert newest_first.has_more is True
    warnings = action.read_logs(level="warning").data
    assert [(line.message, line.origin) for line in warnings] == [("second note", "caller")]
    assert warnings[0].user.username == "alice"


def test_the_upstreams_progress_is_part_of_the_action(ouro, jobs_route):
    action = ouro.routes.execute(
        str(jobs_route.pk), body={"steps": 3, "delay": 0.1}, poll_interval=0.2, poll_timeout=60
    )
    raw = ouro.client.get(f"/actions/{action.id}").json()["data"]
    assert raw["progress"] == 100
    upstream = [
        line for line in action.read_logs(sort_order="asc").data if line.origin == "upstream"
    ]
    assert [line.metadata["progress"] for line in upstream] == [25, 50, 75]
