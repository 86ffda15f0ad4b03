"""Storage is local by default and an S3-compatible bucket when one is named."""

import os
import subprocess
import sys

SHOW_STORAGE = (
    "import django; django.setup(); "
    "from django.core.files.storage import default_storage as s; s._setup(); "
    "print(type(s._wrapped).__name__, getattr(s._wrapped, 'bucket_name', ''), "
    "getattr(s._wrapped, 'endpoint_url', ''))"
)


def storage_with(**env) -> str:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("S3_")}
    environ.update(DJANGO_SETTINGS_MODULE="ouro_site.settings", **env)
    done = subprocess.run(
        [sys.executable, "-c", SHOW_STORAGE],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_files_are_stored_locally_by_default():
    assert storage_with().startswith("FileSystemStorage")


def test_an_s3_bucket_is_used_when_configured():
    shown = storage_with(S3_BUCKET="ouro-files", S3_ENDPOINT_URL="http://127.0.0.1:9000")
    assert shown == "S3Storage ouro-files http://127.0.0.1:9000"
