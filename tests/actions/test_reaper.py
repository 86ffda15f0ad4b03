"""The reaper: the pure deadline rule, the sweep, its command, lazy expiry. (Runs whose worker
stopped, and the reaper's thread in every worker process: test_worker_liveness.py.)"""

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from apps.actions.models import Action, ActionLog, CallbackDelivery, Status
from apps.actions.reaper import (
    action_expire_if_overdue,
    actions_sweep,
    duration_text,
    overdue_reason,
)

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
QUIET = 45 * 60
HARD = 24 * 3600


def rule(now, **times):
    values = {
        "status": Status.IN_PROGRESS,
        "created_at": T0,
        "started_at": None,
        "ack_at": None,
        "last_heartbeat_at": None,
        "quiet_window_seconds": QUIET,
        "hard_timeout_seconds": HARD,
        **times,
    }
    return overdue_reason(now=now, **values)


class TestTheRule:
    def test_a_run_inside_its_quiet_window_is_not_overdue(self):
        assert rule(T0 + timedelta(minutes=45)) is None

    def test_a_run_silent_past_its_quiet_window_is_overdue_with_an_actionable_reason(self):
        reason = rule(T0 + timedelta(minutes=45, seconds=1))
        assert "No word from the upstream for 45 minutes" in reason
        assert "post a log line or its progress" in reason

    def test_the_window_counts_from_the_last_heartbeat(self):
        beat = T0 + timedelta(hours=2)
        assert rule(beat + timedelta(minutes=44), last_heartbeat_at=beat) is None
        assert rule(beat + timedelta(minutes=46), last_heartbeat_at=beat) is not None

    def test_the_window_counts_from_the_acknowledgement_or_the_start(self):
        ack = T0 + timedelta(minutes=30)
        assert rule(T0 + timedelta(minutes=60), started_at=T0, ack_at=ack) is None
        started = T0 + timedelta(minutes=40)
        assert rule(T0 + timedelta(minutes=60), started_at=started) is None

    def test_the_hard_cap_counts_from_creation_whatever_the_heartbeats(self):
        now = T0 + timedelta(hours=24, seconds=1)
        reason = rule(now, last_heartbeat_at=now - timedelta(seconds=5))
        assert "longer than this route's limit of 1 day" in reason

    def test_each_route_has_its_own_windows(self):
        assert rule(T0 + timedelta(seconds=61), quiet_window_seconds=60) is not None
        assert rule(T0 + timedelta(hours=2), quiet_window_seconds=3 * 3600) is None

    def test_finished_runs_are_never_overdue(self):
        for status in (Status.SUCCESS, Status.ERROR, Status.TIMED_OUT):
            assert rule(T0 + timedelta(days=30), status=status) is None

    def test_queued_runs_are_overdue_too(self):
        assert rule(T0 + timedelta(hours=1), status=Status.QUEUED) is not None

    @pytest.mark.parametrize(
        ("seconds", "text"),
        [
            (2700, "45 minutes"),
            (86400, "1 day"),
            (7200, "2 hours"),
            (90, "90 seconds"),
            (1, "1 second"),
        ],
    )
    def test_durations_read_like_a_person_wrote_them(self, seconds, text):
        assert duration_text(seconds) == text


@pytest.mark.django_db
class TestTheSweep:
    def test_it_times_out_silent_runs_and_leaves_live_ones(self, running_action):
        silent, _ = running_action()
        live, _ = running_action()
        later = silent.created_at + timedelta(minutes=50)
        Action.objects.filter(pk=live.pk).update(last_heartbeat_at=later - timedelta(minutes=1))
        assert actions_sweep(now=later) == 1
        silent.refresh_from_db()
        live.refresh_from_db()
        assert silent.status == Status.TIMED_OUT
        assert silent.finished_at == later
        assert "No word from the upstream" in silent.error_message
        assert silent.response["error"]["code"] == "action_timed_out"
        assert live.status == Status.IN_PROGRESS
        assert ActionLog.objects.get(action=silent, origin="system").level == "error"

    def test_a_second_sweep_changes_nothing(self, running_action):
        action, _ = running_action()
        later = action.created_at + timedelta(hours=1)
        assert actions_sweep(now=later) == 1
        assert actions_sweep(now=later + timedelta(hours=1)) == 0
        action.refresh_from_db()
        assert action.finished_at == later

    def test_expire_if_overdue_uses_the_clock_it_is_given(self, running_action):
        action, _ = running_action()
        assert (
            action_expire_if_overdue(action, now=action.created_at + timedelta(minutes=1)) is False
        )
        assert action.status == Status.IN_PROGRESS
        assert action_expire_if_overdue(action, now=action.created_at + timedelta(hours=1)) is True
        assert action.status == Status.TIMED_OUT

    def test_the_sweep_actions_command_ends_overdue_runs(self, running_action):
        action, _ = running_action()
        Action.objects.filter(pk=action.pk).update(created_at=action.created_at - timedelta(days=2))
        out = StringIO()
        call_command("sweep_actions", stdout=out)
        assert "Ended 1 action" in out.getvalue()
        action.refresh_from_db()
        assert action.status == Status.TIMED_OUT

    def test_a_late_callback_after_timing_out_is_refused_and_recorded(self, running_action, client):
        action, token = running_action()
        actions_sweep(now=action.created_at + timedelta(hours=1))
        answer = client.post(
            f"/api/actions/{action.pk}/webhook",
            data=json.dumps({"status": "success", "response": {"late": True}}),
            content_type="application/json",
            headers={"ouro-webhook-token": token},
        )
        assert answer.status_code == 409
        assert "timed out" in answer.json()["error"]["message"]
        action.refresh_from_db()
        assert action.status == Status.TIMED_OUT
        delivery = CallbackDelivery.objects.get(action=action)
        assert (delivery.verdict, delivery.http_status) == ("late", 409)

    def test_a_callback_to_an_overdue_run_times_it_out_instead_of_finishing_it(
        self, running_action, client
    ):
        action, token = running_action()
        Action.objects.filter(pk=action.pk).update(
            created_at=action.created_at - timedelta(hours=2),
            started_at=action.created_at - timedelta(hours=2),
            ack_at=action.created_at - timedelta(hours=2),
        )
        answer = client.post(
            f"/api/actions/{action.pk}/webhook",
            data=json.dumps({"status": "success"}),
            content_type="application/json",
            headers={"ouro-webhook-token": token},
        )
        assert answer.status_code == 409
        action.refresh_from_db()
        assert action.status == Status.TIMED_OUT
