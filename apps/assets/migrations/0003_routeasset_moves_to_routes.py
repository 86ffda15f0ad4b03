# The RouteAsset link now belongs to the routes app (routes 0002); its table stays as it is.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0002_dataset_file_fileupload_datasetrow_routeasset"),
        ("routes", "0002_routeasset"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RouteAsset")],
            database_operations=[],
        ),
    ]
