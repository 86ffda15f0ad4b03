import uuid

from django.db import migrations

PERSONAL_ORG_ID = uuid.UUID("00000000-0000-0000-0000-000000000000")


def create_personal_org(apps, schema_editor):
    Organization = apps.get_model("accounts", "Organization")
    Team = apps.get_model("accounts", "Team")
    org, _ = Organization.objects.get_or_create(id=PERSONAL_ORG_ID, defaults={"name": "Personal"})
    Team.objects.get_or_create(org=org, name="Personal", defaults={"is_default": True})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_personal_org, migrations.RunPython.noop)]
