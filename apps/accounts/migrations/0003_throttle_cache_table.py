"""The table of the "throttle" cache (Django's database cache) on the embedded default: made
here so that `migrate` is all a deployment runs. Scaled out the cache is Redis and the table
stays empty."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "ouro_throttle"


def create_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_personal_org")]
    operations = [migrations.RunPython(create_table, drop_table)]
