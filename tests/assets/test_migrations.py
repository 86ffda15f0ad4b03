"""Datasets stored before column types were SQL names keep working: the data migration renames
their types, and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("assets", "0003_routeasset_moves_to_routes")
AFTER = ("assets", "0004_dataset_views_and_sql_column_types")
OLD = [
    {"name": "name", "type": "string", "is_nullable": False},
    {"name": "n", "type": "integer", "is_nullable": True},
    {"name": "score", "type": "number", "is_nullable": True},
    {"name": "ok", "type": "boolean", "is_nullable": True},
    {"name": "doc", "type": "json", "is_nullable": True, "enum": None},
]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def test_stored_column_types_become_sql_names_and_back(alice):
    from apps.accounts.services import personal_org

    org = personal_org()
    try:
        apps = migrate(BEFORE)
        Dataset = apps.get_model("assets", "Dataset")
        dataset = Dataset.objects.create(
            asset_type="dataset", user_id=alice.pk, org_id=org.pk, team_id=org.default_team.pk,
            name="Old", slug="old", columns=OLD,
        )  # fmt: skip
        apps = migrate(AFTER)
        renamed = apps.get_model("assets", "Dataset").objects.get(pk=dataset.pk).columns
        assert [c["type"] for c in renamed] == [
            "text",
            "bigint",
            "double precision",
            "boolean",
            "jsonb",
        ]
        assert renamed[0] == {"name": "name", "type": "text", "is_nullable": False}
        apps = migrate(BEFORE)
        assert apps.get_model("assets", "Dataset").objects.get(pk=dataset.pk).columns == OLD
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
