"""Background work. Imported by the huey consumer (djhuey autodiscovers `tasks` modules)."""

from apps.actions.task_backend import run_django_task  # noqa: F401  (registers the runner)
