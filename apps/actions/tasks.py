"""Background work. Imported by the huey consumer (djhuey autodiscovers `tasks` modules)."""

from django.db import close_old_connections, connection
from django.tasks import task
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from apps.actions.reaper import actions_sweep
from apps.actions.task_backend import run_django_task  # noqa: F401  (registers the runner)


@db_periodic_task(crontab(minute="*"), name="ouro.sweep_overdue_actions")
def sweep_overdue_actions() -> None:
    """The reaper: the worker running the scheduler ends overdue runs every minute."""
    actions_sweep()


@task
def run_action_task(*, action_id: str) -> None:
    # Imported here: the services module enqueues this task, so it cannot be imported first.
    from apps.actions.services import run_action

    # A worker's connection outlives many tasks: drop it if broken or past CONN_MAX_AGE
    # (never inside a transaction, where an eager run may find itself).
    if not connection.in_atomic_block:
        close_old_connections()
    run_action(action_id)
