"""An upstream's callbacks carry their run's webhook token, not an API key: the per-key API
limit does not count or refuse them."""

import pytest

pytestmark = pytest.mark.django_db


def test_callbacks_are_not_limited_by_the_callers_key(
    client, api, alice_key, running_action, settings
):
    settings.API_RATE_LIMIT = 2
    action, token = running_action()
    headers = {"ouro-webhook-token": token}
    for n in range(6):
        answer = client.post(
            f"/api/actions/{action.pk}/log",
            data={"message": f"line {n}", "progress": n * 10},
            content_type="application/json",
            headers=headers,
        )
        assert answer.status_code == 200, answer.json()
    done = client.post(
        f"/api/actions/{action.pk}/webhook",
        data={"status": "success", "response": {"ok": True}},
        content_type="application/json",
        headers=headers,
    )
    assert done.status_code == 200
    assert api(alice_key).get(f"/actions/{action.pk}").status_code == 200
    assert api(alice_key).get(f"/actions/{action.pk}").status_code == 200
    assert api(alice_key).get(f"/actions/{action.pk}").status_code == 429
