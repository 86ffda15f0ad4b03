"""Check the books: each wallet's balance against its ledger, its holds against running charges."""

from django.core.management.base import BaseCommand, CommandError

from apps.billing.selectors import ledger_discrepancies


class Command(BaseCommand):
    help = "Check that every wallet matches its ledger and its running charges; exit 1 if not."

    def handle(self, *args, **options):
        problems = ledger_discrepancies()
        if problems:
            raise CommandError("The books do not balance:\n" + "\n".join(problems))
        self.stdout.write("The books balance.")
