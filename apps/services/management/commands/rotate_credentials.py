from django.core.management.base import BaseCommand, CommandError

from apps.services.credentials import CredentialError
from apps.services.services import credentials_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored upstream credential and signing secret with the first "
        "CREDENTIAL_KEYS key. Add the new key first in CREDENTIAL_KEYS, run this, then drop "
        "the old key."
    )

    def handle(self, *args, **options):
        try:
            count = credentials_rotate()
        except CredentialError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Re-encrypted the secrets of {count} service(s)")
