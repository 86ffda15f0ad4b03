from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import User
from apps.accounts.services import api_key_create, api_key_revoke, user_create

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"
DEMO_KEY_NAME = "demo key"


class Command(BaseCommand):
    help = "Create (or refresh) the demo user and its API key, and register the demo upstream."

    def add_arguments(self, parser):
        parser.add_argument("--upstream", default="http://127.0.0.1:8001")

    @transaction.atomic
    def handle(self, *args, upstream, **options):
        user = User.objects.filter(username=DEMO_USERNAME).first()
        if user is None:
            user = user_create(
                username=DEMO_USERNAME, email="demo@example.org", password=DEMO_PASSWORD
            )
        for key in user.api_keys.active().filter(name=DEMO_KEY_NAME):
            api_key_revoke(key=key)
        _, raw = api_key_create(user=user, name=DEMO_KEY_NAME)
        self.stdout.write(f"Demo user: {DEMO_USERNAME} / {DEMO_PASSWORD}")
        self.stdout.write(f"Demo API key: {raw}")
