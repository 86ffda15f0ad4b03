"""Every change of an action's status, with the money it moves.

`Action.transition` is the row's rule (a conditional UPDATE: one caller wins). Ending a paid
run also settles its charge (apps.billing): `action_transition` does both in one transaction,
so the status and the money change together or not at all, and a charge is settled once, by
the one caller whose transition won. Every caller moves an action through it, and the winner of
a terminal transition sends `action_finished` (apps.actions.signals) once it has committed.
"""

from django.db import transaction

from apps.actions.models import TERMINAL_STATUSES, Action
from apps.actions.signals import action_finished
from apps.billing.services import usage_settle


def action_transition(*, action: Action, to: str, expected: tuple[str, ...], **fields) -> bool:
    """Move `action` to `to` if its status is still one of `expected` (`fields` written with
    it); whether this call made the change.

    A paid run that ends has its charge confirmed (success) or released (any other end) in the
    same transaction. If settling fails, nothing changes: the row, the money, and `action` as
    the caller holds it; the error is raised.
    """
    if not (action.paid and to in TERMINAL_STATUSES):
        moved = action.transition(to=to, expected=expected, **fields)
        if moved and to in TERMINAL_STATUSES:
            _finished(action)
        return moved
    written = ("status", "last_updated", "finished_at", *fields)
    attnames = {Action._meta.get_field(name).attname for name in written}
    before = {attname: getattr(action, attname) for attname in attnames}
    try:
        with transaction.atomic():
            moved = action.transition(to=to, expected=expected, **fields)
            if moved:
                usage_settle(action=action, status=to, finished_at=action.finished_at)
    except Exception:
        for name, value in before.items():
            setattr(action, name, value)
        raise
    if moved:
        _finished(action)
    return moved


def _finished(action: Action) -> None:
    # A receiver's error (a notification that cannot be written) never fails the run that
    # ended: send_robust logs it (the django.dispatch logger) and goes on.
    transaction.on_commit(lambda: action_finished.send_robust(sender=Action, action=action))
