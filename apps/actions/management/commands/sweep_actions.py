from django.core.management.base import BaseCommand

from apps.actions.reaper import actions_sweep


class Command(BaseCommand):
    help = (
        "End every run that is past its quiet window or hard limit (timed out), or whose "
        "worker stopped (error): one sweep of the reaper every worker process runs."
    )

    def handle(self, *args, **options):
        count = actions_sweep()
        self.stdout.write(f"Ended {count} action{'s' if count != 1 else ''}")
