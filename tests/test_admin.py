import pytest
from django.apps import apps
from django.contrib import admin

pytestmark = pytest.mark.django_db


def test_every_model_of_ours_has_an_admin_page():
    ours = [m for m in apps.get_models() if m.__module__.startswith("apps.")]
    assert ours
    missing = [m.__name__ for m in ours if not admin.site.is_registered(m)]
    assert missing == []


def test_the_admin_lists_open_for_staff(client, alice):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client.force_login(alice)
    for model in admin.site._registry:
        if model.__module__.startswith("apps."):
            meta = model._meta
            url = f"/admin/{meta.app_label}/{meta.model_name}/"
            assert client.get(url).status_code == 200, url
