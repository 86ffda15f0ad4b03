"""Repair stored text that holds a lone surrogate: `manage.py repair_text [--dry-run]`.

Such text (once let in through a JSON escape like "\\ud800") cannot be encoded, so every
response that includes it fails: a caller's action list, the action, a route's runs. The
request layer refuses it now; this finds what was stored before, in every text and JSON field
of the project's models (actions' metadata, request and response, posts, asset names and
descriptions, ...), and replaces each lone surrogate with U+FFFD, the replacement character.

PostgreSQL cannot store a lone surrogate at all; there the command finds nothing.
"""

from collections import Counter

from django.apps import apps as registry
from django.core.management.base import BaseCommand
from django.db import models

from apps.core.safe_text import has_lone_surrogate, value_repaired

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)
CHUNK = 500


def _text_fields(model) -> list[str]:
    """The model's own text and JSON columns (inherited ones are its parent's to repair)."""
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, TEXT_FIELDS) and f.model is model
    ]


def text_repair(*, dry_run: bool = False) -> Counter:
    """Repair every row of the project's models holding a lone surrogate; answers how many
    rows were (or, with `dry_run`, would be) repaired per `app.Model.field`."""
    repaired: Counter = Counter()
    for model in registry.get_models():
        if not model.__module__.startswith("apps.") or not model._meta.managed:
            continue
        names = _text_fields(model)
        if not names:
            continue
        manager = model._base_manager
        rows = manager.order_by().values_list("pk", *names).iterator(chunk_size=CHUNK)
        found = []  # written once the read is done
        for pk, *values in rows:
            changes = {
                name: value_repaired(value)
                for name, value in zip(names, values, strict=True)
                if value is not None and has_lone_surrogate(value)
            }
            if changes:
                found.append((pk, changes))
        for pk, changes in found:
            for name in changes:
                repaired[f"{model._meta.label}.{name}"] += 1
            if not dry_run:
                manager.filter(pk=pk).update(**changes)
    return repaired


class Command(BaseCommand):
    help = "Replace lone surrogates in stored text and JSON with U+FFFD."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="report, change nothing")

    def handle(self, *args, dry_run, **options):
        repaired = text_repair(dry_run=dry_run)
        verb = "would be repaired" if dry_run else "repaired"
        for field, count in sorted(repaired.items()):
            self.stdout.write(f"{field}: {count} row(s) {verb}")
        self.stdout.write(f"{sum(repaired.values())} value(s) {verb}")
