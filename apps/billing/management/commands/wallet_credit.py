"""Add funds to (or, with a negative amount, take them from) a user's wallet."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.billing.pricing import dollars, parse_dollars
from apps.billing.services import WalletError, wallet_adjust


class Command(BaseCommand):
    help = "Credit a user's wallet in US dollars (a negative amount debits it), with a ledger note."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("amount", help='dollars, e.g. "5" or "2.50"; negative to debit')
        parser.add_argument("--note", default="", help="kept in the ledger entry")

    def handle(self, *args, username: str, amount: str, note: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}")
        try:
            cents = parse_dollars(amount)
            entry = wallet_adjust(user=user, cents=cents, note=note or "credited by an operator")
        except (ValueError, WalletError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from None
        self.stdout.write(
            f"{username}: {'+' if cents > 0 else '-'}{dollars(abs(cents))}, "
            f"balance {dollars(entry.balance_after_cents)}"
        )
