"""A run's end reaches the notifications through the actions app's signal, sent once by the
transition that won, and a receiver that fails never fails the run."""

import pytest

from apps.actions.models import Status
from apps.actions.signals import action_finished
from apps.actions.transitions import action_transition
from apps.social.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def test_only_the_winning_terminal_transition_notifies(route, make_action, bob):
    action = make_action(route, user=bob, status=Status.IN_PROGRESS)
    assert action_transition(action=action, to=Status.SUCCESS, expected=(Status.IN_PROGRESS,))
    assert not action_transition(action=action, to=Status.ERROR, expected=(Status.IN_PROGRESS,))
    (told,) = Notification.objects.filter(user=bob)
    assert (told.type, told.action_id) == ("action-completed", action.pk)


def test_a_timed_out_run_is_a_failure_notification(route, make_action, bob):
    action = make_action(route, user=bob, status=Status.QUEUED)
    action_transition(action=action, to=Status.TIMED_OUT, expected=(Status.QUEUED,))
    told = Notification.objects.get(user=bob)
    assert told.type == "action-failed" and told.text.endswith("failed (timed-out)")


def test_a_failing_receiver_does_not_fail_the_run(route, make_action, bob):
    def broken(sender, **kwargs):
        raise RuntimeError("receiver is broken")

    action_finished.connect(broken, dispatch_uid="broken-for-test")
    try:
        action = make_action(route, user=bob, status=Status.IN_PROGRESS)
        assert action_transition(action=action, to=Status.SUCCESS, expected=(Status.IN_PROGRESS,))
    finally:
        action_finished.disconnect(dispatch_uid="broken-for-test")
    action.refresh_from_db()
    assert action.status == Status.SUCCESS
    assert Notification.objects.filter(user=bob, action=action).exists()
