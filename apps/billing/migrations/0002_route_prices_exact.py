"""Route prices stored as JSON numbers (floats) before prices were exact are rewritten as the
exact decimal text the price parser stores (0.1 -> "0.1"). Anything unreadable is left as it is
(it reads as free, as it did)."""

from decimal import Decimal, InvalidOperation

from django.db import migrations


def _text(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return f"{number.normalize():f}" if number else "0"


def prices_as_text(apps, schema_editor):
    Route = apps.get_model("routes", "Route")
    changed = []
    for route in Route.objects.only("id", "pricing").iterator():
        pricing = route.pricing
        if not isinstance(pricing, dict):
            continue
        text = _text(pricing.get("unit_cost"))
        if text is not None:
            route.pricing = {**pricing, "unit_cost": text}
            changed.append(route)
    Route.objects.bulk_update(changed, ["pricing"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("routes", "0002_routeasset"),
    ]

    operations = [migrations.RunPython(prices_as_text, migrations.RunPython.noop)]
