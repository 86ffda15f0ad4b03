"""Background work for files. Imported by the huey consumer (djhuey autodiscovers it)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from apps.assets.services import file_uploads_prune


@db_periodic_task(crontab(minute="17"), name="ouro.prune_file_uploads")
def prune_file_uploads() -> None:
    """Hourly: uploads that never became files are deleted after a day."""
    file_uploads_prune()
