from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.accounts.models import Organization, Role, User
from apps.accounts.services import (
    api_key_context,
    api_key_create,
    membership_set,
    organization_create,
    user_create,
)


class Command(BaseCommand):
    help = "Create a personal access token for a user and print only the key."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--create", action="store_true", help="create the user if missing")
        parser.add_argument("--email", default="")
        parser.add_argument("--org", help="make the user a member of this organization")
        parser.add_argument("--role", choices=[r.value for r in Role], default=Role.ADMIN.value)
        parser.add_argument("--name", default="CLI key", help="the key's name")
        parser.add_argument(
            "--bind",
            metavar="personal|ORG_NAME",
            help="bind the key to the personal space or to one organization the user is in: "
            "it then cannot act anywhere else",
        )

    @transaction.atomic
    def handle(self, *args, username, create, email, org, role, name, bind, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            if not create:
                raise CommandError(f"No user {username!r}; pass --create to create it")
            user = user_create(username=username, email=email)
        elif email and user.email != email:
            user.email = email
            user.save(update_fields=["email"])
        if org:
            organization = Organization.objects.filter(name=org).first()
            if organization is None:
                organization = organization_create(name=org)
            membership_set(user=user, org=organization, role=role)
        try:
            bound = api_key_context(user=user, bind=bind) if bind else None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        _, raw = api_key_create(user=user, name=name, org=bound)
        self.stdout.write(raw)
