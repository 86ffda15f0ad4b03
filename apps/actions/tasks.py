"""Background work. Imported by the huey consumer (djhuey autodiscovers `tasks` modules)."""

from django.db import close_old_connections, connection
from django.tasks import task
from huey.contrib.djhuey import HUEY

from apps.actions.liveness import worker_liveness_start
from apps.actions.task_backend import run_django_task  # noqa: F401  (registers the runner)


@HUEY.on_startup("ouro.worker_liveness")
def start_worker_liveness() -> None:
    """Every worker process runs its heartbeats and the reaper in threads of their own, beside
    its worker threads (apps.actions.liveness): called as each worker thread starts, it starts
    them once per process."""
    worker_liveness_start()


@task
def run_action_task(*, action_id: str) -> None:
    # Imported here: the services module enqueues this task, so it cannot be imported first.
    from apps.actions.services import run_action

    # A worker's connection outlives many tasks: drop it if broken or past CONN_MAX_AGE
    # (never inside a transaction, where an eager run may find itself).
    if not connection.in_atomic_block:
        close_old_connections()
    run_action(action_id)
