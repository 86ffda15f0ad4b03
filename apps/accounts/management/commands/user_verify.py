import uuid

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.accounts.services import user_set_verified


class Command(BaseCommand):
    help = (
        "Mark an account verified by an administrator (--undo takes it back). This site makes "
        "no identity checks of its own: verifying records that you vouch for the account. "
        "Teams whose actor type policy is verified_only admit verified human accounts only."
    )

    def add_arguments(self, parser):
        parser.add_argument("user", help="the username or the user id")
        parser.add_argument("--undo", action="store_true", help="mark the account unverified")

    def handle(self, *args, user, undo, **options):
        found = User.objects.filter(username=user).first() or _by_id(user)
        if found is None:
            raise CommandError(f"No user {user!r}")
        user_set_verified(user=found, verified=not undo)
        state = "no longer verified" if undo else "verified"
        self.stdout.write(f"{found.username} ({found.actor_type} account) is {state}.")


def _by_id(value: str) -> User | None:
    try:
        return User.objects.filter(pk=uuid.UUID(value)).first()
    except ValueError:
        return None
