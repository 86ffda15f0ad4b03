"""The runs page across routes (/actions) with its filters, and comparing two runs."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import membership_set, organization_create
from apps.actions.callbacks import action_cancel
from apps.actions.models import Action, Status
from apps.actions.services import route_run

pytestmark = pytest.mark.django_db


def run_ids(html: str) -> set[str]:
    return set(re.findall(r'name="id" value="([0-9a-f-]{36})"', html))


@pytest.fixture
def runs(hello_route, item_route, alice, bob):
    """Alice's two runs of two routes, Bob's run of Alice's route, a canceled and an API run."""
    first = route_run(
        route=hello_route, user=alice, inputs={"query": {"name": "ada"}}, source="web"
    )
    second = route_run(
        route=item_route, user=alice, inputs={"parameters": {"item_id": "1"}}, source="api"
    )
    by_bob = route_run(route=hello_route, user=bob, inputs={"query": {"name": "bob"}}, source="web")
    queued = Action.objects.create(
        route=item_route, user=alice, org=item_route.org, team=item_route.team, source="web"
    )
    assert action_cancel(action=queued, user=alice)
    return {"first": first, "second": second, "by_bob": by_bob, "canceled": queued}


def test_the_runs_page_lists_my_runs_across_routes_newest_first(client, runs, alice):
    client.force_login(alice)
    html = client.get("/actions").content.decode()
    assert run_ids(html) == {str(runs[k].pk) for k in ("first", "second", "canceled")}
    order = [html.index(str(runs[k].pk)) for k in ("canceled", "second", "first")]
    assert order == sorted(order)
    assert "⊘</span> canceled" in html  # a canceled run is its own state, with a shape
    assert "✓</span> success" in html
    assert 'href="/routes/alice/hello"' in html and 'href="/routes/alice/get-item"' in html


def test_filters_by_route_status_source_and_dates_live_in_the_url(
    client, runs, alice, item_route, hello_route
):
    client.force_login(alice)

    def ids(query: str) -> set[str]:
        response = client.get(f"/actions?{query}")
        assert response.status_code == 200
        return run_ids(response.content.decode())

    pk = {k: str(v.pk) for k, v in runs.items()}
    assert ids(f"route={item_route.pk}") == {pk["second"], pk["canceled"]}
    assert ids(f"service={item_route.service_id}") == {pk["second"], pk["canceled"]}
    assert ids(f"service={hello_route.service_id}") == {pk["first"]}
    assert ids("status=canceled") == {pk["canceled"]}
    assert ids("status=error") == set()  # a canceled run is not an error on pages
    assert ids("status=success") == {pk["first"], pk["second"]}
    assert ids("source=api") == {pk["second"]}
    today = timezone.localdate()
    assert ids(f"since={today}&until={today}") == {pk["first"], pk["second"], pk["canceled"]}
    assert ids(f"until={today - timedelta(days=1)}") == set()
    html = client.get(f"/actions?since={today}&until={today - timedelta(days=1)}").content.decode()
    assert "The end date is before the start date." in html


def test_owners_see_their_routes_callers_and_nobody_else_does(client, runs, alice, bob, charlie):
    client.force_login(alice)
    callers = run_ids(client.get("/actions?scope=callers").content.decode())
    assert callers == {str(runs["by_bob"].pk)}
    both = run_ids(client.get("/actions?scope=all").content.decode())
    assert both == {str(a.pk) for a in runs.values()}
    client.force_login(bob)  # Bob owns no route: "callers" shows nothing of Alice's
    assert run_ids(client.get("/actions?scope=callers").content.decode()) == set()
    assert run_ids(client.get("/actions?scope=all").content.decode()) == {str(runs["by_bob"].pk)}
    client.force_login(charlie)
    html = client.get("/actions?scope=all").content.decode()
    assert run_ids(html) == set()
    assert "No runs yet." in html and 'href="/routes"' in html


def test_an_organization_admin_sees_the_callers_of_the_organization_routes(
    client, make_service, make_route, alice, bob, charlie
):
    org = organization_create(name="acme-labs", owner=alice)
    membership_set(org=org, user=bob, role=Role.ADMIN)
    route = make_route("GET", "/hello", service=make_service(org=org))
    run = route_run(route=route, user=charlie, inputs={})
    client.force_login(bob)
    assert run_ids(client.get("/actions?scope=callers").content.decode()) == {str(run.pk)}


def test_empty_filters_say_what_to_do(client, runs, alice):
    client.force_login(alice)
    html = client.get("/actions?status=timed-out").content.decode()
    assert "No runs match these filters." in html and 'href="/actions"' in html
    assert "No runs yet." not in html


def test_keyset_pages_keep_the_filters(client, hello_route, alice):
    base = timezone.now()
    for i in range(55):
        Action.objects.create(
            route=hello_route,
            user=alice,
            org=hello_route.org,
            team=hello_route.team,
            status=Status.SUCCESS,
            created_at=base - timedelta(seconds=i),
        )
    client.force_login(alice)
    first = client.get("/actions?status=success").content.decode()
    assert len(run_ids(first)) == 50
    older = re.search(r'href="\?([^"]+)">Older runs', first).group(1).replace("&amp;", "&")
    assert "status=success" in older and "cursor=" in older
    second = client.get(f"/actions?{older}").content.decode()
    assert len(run_ids(second)) == 5 and not run_ids(first) & run_ids(second)
    assert "Older runs" not in second


def test_an_htmx_filter_answers_the_list_alone(client, runs, alice):
    client.force_login(alice)
    response = client.get(
        "/actions?status=canceled", headers={"HX-Request": "true", "HX-Target": "runs"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="runs">')
    assert run_ids(html) == {str(runs["canceled"].pk)}


def test_bad_filters_are_refused_field_by_field(client, runs, alice):
    client.force_login(alice)
    response = client.get("/actions?route=nope&status=bogus&since=yesterday")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<li>") >= 3  # each bad field says so
    assert len(run_ids(html)) == 3  # and filters nothing


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/actions")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_compare_shows_both_runs_and_their_differences_by_key_path(client, runs, alice):
    client.force_login(alice)
    first, by_bob, second = runs["first"], runs["by_bob"], runs["second"]
    response = client.get(f"/actions/compare?id={first.pk}&id={by_bob.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/actions/{first.pk}"' in html and f'href="/actions/{by_bob.pk}"' in html
    inputs = html[html.index('id="compare-inputs"') : html.index('id="compare-request"')]
    assert '<tr class="diff-changed"><td><code>query.name</code>' in inputs
    assert "&quot;ada&quot;" in inputs and "&quot;bob&quot;" in inputs
    assert 'Run by <span class="diff-mark">differs</span>' in html
    assert '<tr class="same"><th scope="row">Route</th>' in html
    response_part = html[html.index('id="compare-response"') :]
    assert "diff-changed" in response_part  # the upstream greeted each by name
    html = client.get(f"/actions/compare?a={first.pk}&b={second.pk}").content.decode()
    assert 'Route <span class="diff-mark">differs</span>' in html
    inputs = html[html.index('id="compare-inputs"') : html.index('id="compare-request"')]
    assert "<code>query</code>" in inputs and "<code>parameters</code>" in inputs


def test_compare_the_same_inputs_says_so(client, hello_route, alice):
    a = route_run(route=hello_route, user=alice, inputs={"query": {"name": "x"}})
    b = route_run(route=hello_route, user=alice, inputs={"query": {"name": "x"}})
    client.force_login(alice)
    html = client.get(f"/actions/compare?a={a.pk}&b={b.pk}").content.decode()
    inputs = html[html.index('id="compare-inputs"') : html.index('id="compare-request"')]
    assert "The same in both runs." in inputs
    # The headers that name each run (its id, its webhook) are not differences of the request.
    sent = html[html.index('id="compare-request"') : html.index('id="compare-response"')]
    diff_rows = sent[: sent.index("Both in full")] if "Both in full" in sent else sent
    assert "ouro-action-id" not in diff_rows and "ouro-webhook" not in diff_rows
    assert "The same in both runs." in diff_rows
    assert str(a.pk) in sent and str(b.pk) in sent  # both requests in full still name them


def test_compare_needs_two_runs_the_viewer_may_see(client, runs, alice, charlie):
    client.force_login(alice)
    assert client.get(f"/actions/compare?id={runs['first'].pk}").status_code == 400
    pk = runs["first"].pk
    assert client.get(f"/actions/compare?id={pk}&id={pk}").status_code == 400
    client.force_login(charlie)
    response = client.get(f"/actions/compare?a={runs['first'].pk}&b={runs['second'].pk}")
    assert response.status_code == 404


def test_the_action_page_links_to_compare_and_the_runs_page_picks_the_other(client, runs, alice):
    client.force_login(alice)
    first = runs["first"]
    html = client.get(f"/actions/{first.pk}").content.decode()
    link = re.search(r'href="(/actions\?route=[^"]+compare=[^"]+)"', html).group(1)
    picker = client.get(link.replace("&amp;", "&")).content.decode()
    assert f'name="id" value="{first.pk}"' in picker and 'type="radio"' in picker


def test_a_route_actions_tab_has_the_same_filters(client, runs, alice, bob, hello_route):
    client.force_login(alice)

    def tab(query: str = "") -> str:
        response = client.get(f"/routes/alice/hello?tab=actions{query}")
        assert response.status_code == 200
        return response.content.decode()

    def shown(html: str) -> set[str]:
        return set(re.findall(r'href="/actions/([0-9a-f-]{36})"', html))

    assert shown(tab()) == {str(runs["first"].pk)}
    assert shown(tab("&scope=callers")) == {str(runs["by_bob"].pk)}
    assert shown(tab("&scope=all")) == {str(runs["first"].pk), str(runs["by_bob"].pk)}
    assert shown(tab("&scope=all&status=error")) == set()
    assert "No runs match these filters." in tab("&scope=all&status=error")
    assert shown(tab("&scope=all&source=web&status=success")) == {
        str(runs["first"].pk),
        str(runs["by_bob"].pk),
    }
    client.force_login(bob)  # not the owner: only his own, whatever the scope asked
    assert shown(tab("&scope=all")) == {str(runs["by_bob"].pk)}
    assert 'name="scope"' not in tab()
