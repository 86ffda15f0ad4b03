"""A `django.tasks` backend that hands work to huey (SqliteHuey embedded, RedisHuey scaled out).

The Action row is the source of truth; task results are not stored.
"""

import logging

from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import TaskResult, TaskResultStatus
from django.tasks.signals import task_enqueued
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from huey.contrib.djhuey import HUEY
from huey.contrib.djhuey import task as huey_task

log = logging.getLogger(__name__)


def queue_runs_inline() -> bool:
    """Whether queued work runs at once in the caller's thread (TASKS_EAGER, the tests): work
    deferred to later would then never run."""
    return HUEY.immediate


@huey_task(name="ouro.run_django_task")
def run_django_task(func_path: str, args: list, kwargs: dict) -> None:
    task = import_string(func_path)
    task.call(*args, **kwargs)


class HueyTaskBackend(BaseTaskBackend):
    supports_defer = True

    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        now = timezone.now()
        result = TaskResult(
            task=task,
            id=get_random_string(32),
            status=TaskResultStatus.READY,
            enqueued_at=now,
            started_at=None,
            finished_at=None,
            last_attempted_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        if task.run_after is not None:
            run_django_task.schedule(
                (task.module_path, list(args), dict(kwargs)), eta=task.run_after
            )
        else:
            run_django_task(task.module_path, list(args), dict(kwargs))
        task_enqueued.send(type(self), task_result=result)
        return result
