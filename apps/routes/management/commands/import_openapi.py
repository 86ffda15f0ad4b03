import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.accounts.services import personal_org
from apps.routes.import_report import import_report
from apps.routes.services import service_import_openapi
from apps.services.importer import SpecError
from apps.services.models import Service
from apps.services.services import (
    ServiceError,
    spec_from_path,
    spec_from_url,
)


class Command(BaseCommand):
    help = (
        "Import an OpenAPI/Swagger spec from a file, a folder (its openapi.*/swagger.* root) "
        "or a URL; a file's relative $refs are read from the files they name (--base-dir "
        "keeps them inside one folder). --dry-run prints the routes and warnings (JSON keeps "
        "each $ref, with what it points to under components); otherwise creates or re-syncs "
        "a service owned by --owner."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="a spec file, a folder holding one, or an http(s) URL")
        parser.add_argument("--dry-run", action="store_true", help="print, write nothing")
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--owner", help="username owning the service (without --dry-run)")
        parser.add_argument("--name", help="service name (default: the spec's title)")
        parser.add_argument("--base-url", default="", help="override the spec's server URL")
        parser.add_argument("--base-dir", help="the only folder relative $refs may read from")
        parser.add_argument("--visibility", default="private")

    def handle(self, *args, source, dry_run, format, owner, name, base_url, base_dir, **options):
        try:
            if source.startswith(("http://", "https://")):
                result = spec_from_url(source)
            else:
                result = spec_from_path(Path(source), base_dir=Path(base_dir) if base_dir else None)
        except SpecError as exc:
            raise CommandError(str(exc)) from None
        if dry_run:
            # The run forms' report, as the service pages show it (renames need an owner).
            warnings = import_report(result)["warnings"]
            if format == "json":
                self.stdout.write(json.dumps({**result.as_dict(), "warnings": warnings}, indent=2))
            else:
                self._print_text(result, warnings)
            return
        if not owner:
            raise CommandError("Give --owner USERNAME (or --dry-run)")
        user = User.objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"No user {owner!r}")
        spec_url = source if source.startswith(("http://", "https://")) else ""
        name = name or result.title or Path(source).stem
        existing = Service.objects.live().filter(user=user, name=name).first()
        try:
            fields = (
                {}
                if existing is not None
                else dict(name=name, base_url=base_url, visibility=options["visibility"])
            )
            service, diff = service_import_openapi(
                owner=user,
                org=existing.org if existing is not None else personal_org(),
                source=result,
                service=existing,
                spec_url=spec_url,
                origin="api",
                **fields,
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        summary = diff.summary()
        if format == "json":
            self.stdout.write(json.dumps({"service_id": str(service.pk), **summary}))
        else:
            self.stdout.write(
                f"Service {service.name} ({service.pk}): {len(summary['added'])} added, "
                f"{len(summary['changed'])} changed, {len(summary['removed'])} archived, "
                f"{summary['unchanged']} unchanged"
            )

    def _print_text(self, result, warnings: list[dict]):
        self.stdout.write(
            f"{result.title} ({result.spec_version}), base URL {result.base_url or '-'}: "
            f"{len(result.routes)} routes"
        )
        for route in result.routes:
            self.stdout.write(f"  {route.method:7} {route.path}  {route.name}")
        for warning in warnings:
            self.stdout.write(f"  [{warning['kind']}] {warning['where']}: {warning['message']}")
