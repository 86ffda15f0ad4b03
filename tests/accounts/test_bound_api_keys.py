"""Keys bound to a context: made by manage.py create_api_key --bind or on the API-keys page;
the token exchange names the context and the API refuses any other."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.accounts.models import PERSONAL_ORG_ID, ApiKey

pytestmark = pytest.mark.django_db


def _exchange(api, raw: str) -> dict:
    return api(None).post("/users/get-token", {"pat": raw}).json()


def test_bind_personal_makes_a_key_for_the_personal_space_only(api, capsys, alice, acme):
    call_command("create_api_key", "alice", "--bind", "personal")
    raw = capsys.readouterr().out.strip()
    assert ApiKey.objects.get(prefix=raw[:12]).org_id == PERSONAL_ORG_ID
    assert _exchange(api, raw)["api_key_org_id"] == str(PERSONAL_ORG_ID)
    answer = api(raw).get("/organizations/context", headers={"X-Ouro-Org": str(acme.pk)})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "org_context_forbidden"
    assert api(raw).get("/organizations/context").json()["data"]["id"] == str(PERSONAL_ORG_ID)


def test_bind_an_organization_by_name_pins_the_key_to_it(api, capsys, alice, acme):
    call_command("create_api_key", "alice", "--bind", "acme", "--name", "acme ci")
    raw = capsys.readouterr().out.strip()
    assert _exchange(api, raw)["api_key_org_id"] == str(acme.pk)
    assert api(raw).get("/organizations/context").json()["data"]["name"] == "acme"
    answer = api(raw).get("/organizations/context", headers={"X-Ouro-Org": str(PERSONAL_ORG_ID)})
    assert answer.json()["error"]["code"] == "org_context_forbidden"


def test_bind_with_org_creates_the_membership_first(capsys, alice):
    call_command("create_api_key", "alice", "--org", "lab", "--bind", "lab")
    raw = capsys.readouterr().out.strip()
    assert ApiKey.objects.get(prefix=raw[:12]).org.name == "lab"


def test_bind_refuses_an_organization_the_user_is_not_in(charlie, acme):
    with pytest.raises(CommandError, match="charlie is not a member of an organization 'acme'"):
        call_command("create_api_key", "charlie", "--bind", "acme")
    with pytest.raises(CommandError, match="not a member"):
        call_command("create_api_key", "charlie", "--bind", "nowhere")
    assert not ApiKey.objects.filter(user=charlie).exists()


def test_an_unbound_key_names_no_context(api, alice_key):
    assert _exchange(api, alice_key)["api_key_org_id"] is None


def test_the_api_keys_page_offers_every_context_and_binds_the_key(client, alice, acme):
    client.force_login(alice)
    page = client.get("/settings/api-keys").content.decode()
    assert "Only my personal space" in page and "Only the organization acme" in page
    client.post("/settings/api-keys", {"name": "acme key", "bind": str(acme.pk)})
    client.post("/settings/api-keys", {"name": "mine", "bind": "personal"})
    client.post("/settings/api-keys", {"name": "any", "bind": ""})
    keys = {key.name: key.org_id for key in alice.api_keys.all()}
    assert keys == {"acme key": acme.pk, "mine": PERSONAL_ORG_ID, "any": None}
    listing = client.get("/settings/api-keys").content.decode()
    assert "personal space" in listing and "any context" in listing


def test_the_api_keys_page_refuses_an_organization_the_user_is_not_in(client, charlie, acme):
    client.force_login(charlie)
    response = client.post("/settings/api-keys", {"name": "sneaky", "bind": str(acme.pk)})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not charlie.api_keys.exists()
