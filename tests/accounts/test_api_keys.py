from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import ApiKey, Membership, Organization, User, hash_api_key
from apps.accounts.services import (
    InvalidApiKey,
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
)

pytestmark = pytest.mark.django_db


def test_it_stores_only_the_hash(alice):
    key, raw = api_key_create(user=alice, name="laptop")
    assert raw.startswith("ouro_")
    stored = ApiKey.objects.get(pk=key.pk)
    assert stored.key_hash == hash_api_key(raw)
    assert raw not in (stored.key_hash, stored.prefix, stored.name)
    assert stored.prefix == raw[:12]


def test_it_authenticates_and_records_last_use(alice):
    key, raw = api_key_create(user=alice, name="laptop")
    assert api_key_authenticate(raw).user == alice
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_it_refuses_revoked_and_unknown_keys(alice):
    key, raw = api_key_create(user=alice, name="laptop")
    api_key_revoke(key=key)
    with pytest.raises(InvalidApiKey, match="revoked"):
        api_key_authenticate(raw)
    with pytest.raises(InvalidApiKey):
        api_key_authenticate("ouro_not-a-real-key")


def test_settings_page_shows_a_new_key_once_and_revokes(client, alice):
    client.force_login(alice)
    response = client.post("/settings/api-keys", {"name": "ci"})
    assert response.status_code == 200
    key = alice.api_keys.get(name="ci")
    raw = response.context["new_key"]
    assert raw.startswith(key.prefix)
    assert raw not in client.get("/settings/api-keys").content.decode()
    client.post(f"/settings/api-keys/{key.pk}/revoke")
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_sending_the_key_form_again_makes_no_second_key(client, alice):
    client.force_login(alice)
    page = client.get("/settings/api-keys")
    nonce = page.context["nonce"]
    assert f'name="nonce" value="{nonce}"' in page.content.decode()
    made = client.post("/settings/api-keys", {"name": "ci", "nonce": nonce})
    assert made.status_code == 200 and made.context["new_key"]
    assert 'data-copy-label="the key"' in made.content.decode()
    assert made.context["nonce"] != nonce  # the next form is a new one
    again = client.post("/settings/api-keys", {"name": "ci", "nonce": nonce}, follow=True)
    assert alice.api_keys.count() == 1
    assert "made its key already" in again.content.decode()
    assert again.context["new_key"] is None
    client.post("/settings/api-keys", {"name": "ci2", "nonce": made.context["nonce"]})
    assert alice.api_keys.count() == 2


def test_outsiders_cannot_revoke_anothers_key(client, alice, charlie):
    key, _ = api_key_create(user=alice, name="laptop")
    client.force_login(charlie)
    assert client.post(f"/settings/api-keys/{key.pk}/revoke").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_create_api_key_prints_only_the_key(capsys):
    call_command("create_api_key", "dora", "--create", "--email", "d@example.org")
    out = capsys.readouterr().out.strip()
    assert "\n" not in out and out.startswith("ouro_")
    assert api_key_authenticate(out).user.username == "dora"


def test_create_api_key_joins_and_creates_the_org(capsys, alice):
    call_command("create_api_key", "alice", "--org", "Lab", "--role", "write", "--name", "ci")
    raw = capsys.readouterr().out.strip()
    org = Organization.objects.get(name="Lab")
    assert org.teams.filter(is_default=True).count() == 1
    assert Membership.objects.get(user=alice, org=org).role == "write"
    assert ApiKey.objects.get(key_hash=hash_api_key(raw)).name == "ci"


def test_create_api_key_refuses_a_missing_user_without_create():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--create"):
        call_command("create_api_key", "nobody")
    assert not User.objects.filter(username="nobody").exists()


def test_last_used_is_written_once_a_minute_not_per_call(api, alice_key):
    assert api(alice_key).get("/user").status_code == 200
    key = ApiKey.objects.get(key_hash=hash_api_key(alice_key))
    first = key.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as captured:
        assert api(alice_key).get("/user").status_code == 200
    assert not [q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    assert api(alice_key).get("/user").status_code == 200
    assert ApiKey.objects.get(pk=key.pk).last_used_at > first
