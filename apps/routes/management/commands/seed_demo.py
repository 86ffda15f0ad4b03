from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.accounts.models import User
from apps.accounts.services import api_key_create, api_key_revoke, personal_org, user_create
from apps.routes.services import service_import_openapi
from apps.services.importer import SpecError
from apps.services.models import Service
from apps.services.services import spec_from_url

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"
DEMO_KEY_NAME = "demo key"
DEMO_SERVICE = "demo"


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
        self._register_upstream(user, upstream.rstrip("/"))

    def _register_upstream(self, user: User, upstream: str) -> None:
        """The demo upstream as the demo user's public service "demo"; re-running re-syncs."""
        spec_url = f"{upstream}/openapi.json"
        try:
            result = spec_from_url(spec_url)
        except SpecError as exc:
            raise CommandError(f"Could not register the demo upstream: {exc}") from None
        service = Service.objects.live().filter(user=user, name=DEMO_SERVICE).first()
        fields = (
            {}
            if service is not None
            else dict(name=DEMO_SERVICE, base_url=upstream, visibility="public")
        )
        service, diff = service_import_openapi(
            owner=user,
            org=personal_org(),
            source=result,
            service=service,
            spec_url=spec_url,
            **fields,
        )
        names = ", ".join(sorted(service.routes.live().values_list("name", flat=True)))
        self.stdout.write(f"Demo service: {service.name} ({service.pk}) with routes {names}")
        if diff.removed:
            self.stdout.write(f"Archived {len(diff.removed)} route(s) no longer in the spec")
