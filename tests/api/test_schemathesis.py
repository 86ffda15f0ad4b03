"""schemathesis fuzzes every operation of /api/schema (whatever endpoints it holds when it runs)
against the live server with an authenticated API key: no answer may be a server error.

Path parameters are sometimes replaced by the ids of real objects (a service and its routes on
the demo upstream, a run, a post, a file, a dataset, an organization, a team, users), so the
fuzzer reaches past the id checks into the views. The one 5xx the contract has, a run whose
upstream failed (502 `external_service_error`, carrying the action), is not a server error."""

import uuid
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from apps.accounts.services import personal_org
from apps.assets.services import Owner, dataset_create, file_create
from apps.posts.services import post_create

pytestmark = pytest.mark.django_db(transaction=True)

MAX_EXAMPLES = 10  # per operation: the whole API (about 150 operations) in a few minutes


@pytest.fixture
def known_ids(alice, bob, acme, hello_route, jobs_route, api, alice_key) -> dict[str, list[str]]:
    """Ids of real objects, by the path parameter names they may fill."""
    org = personal_org()
    owner = Owner(user=alice, org=org, team=org.default_team)
    post = post_create(
        user=alice,
        org=org,
        team=org.default_team,
        name="Notes",
        content="# Hi",
        visibility="public",
    )
    file = file_create(owner=owner, name="a.csv", file_name="a.csv", content=b"x,y\n1,2\n")
    dataset = dataset_create(owner=owner, name="points", rows=[{"x": 1, "y": "a"}])[0]
    run = api(alice_key).post(
        f"/services/{hello_route.service_id}/routes/{hello_route.pk}/use",
        {"config": {"query": {"name": "Ada"}}},
    )
    action_id = run.json()["action"]["id"]
    assets = [str(a.pk) for a in (post, file, dataset, hello_route, hello_route.service)]
    return {
        "service_id": [str(hello_route.service_id)],
        "route_id": [str(hello_route.pk), str(jobs_route.pk), "alice/hello"],
        "action_id": [action_id],
        "asset_id": assets,
        "parent_id": assets,
        "post_id": [str(post.pk)],
        "file_id": [str(file.pk)],
        "dataset_id": [str(dataset.pk)],
        "column": ["x", "y"],
        "org_id": [str(acme.pk), str(org.pk)],
        "team_id": [str(acme.default_team.pk), str(org.default_team.pk)],
        "user_id": [str(bob.pk)],
        "name_or_id": ["bob", str(alice.pk)],
        "name": ["acme"],
    }


@pytest.fixture
def api_schema(live_site, known_ids, settings):
    settings.API_RATE_LIMIT = 0  # thousands of requests a minute with one key
    schema = schemathesis.openapi.from_url(f"{live_site.url}/api/schema")
    schema.config.update(base_url=f"{live_site.url}/api")

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        # Half the time, real ids in place of the generated values.
        if not path_parameters:
            return st.just(path_parameters)
        choices = {
            name: st.sampled_from([value, *known_ids.get(name, [str(uuid.uuid4())])])
            for name, value in path_parameters.items()
        }
        return st.fixed_dictionaries(choices)

    return schema


def server_error(response) -> str | None:
    """What is wrong with an answer: a 5xx, except the contract's 502 for a run whose upstream
    failed (it carries the action)."""
    if response.status_code < 500:
        return None
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    if response.status_code == 502 and code == "external_service_error" and "action" in body:
        return None
    return f"{response.status_code}: {response.text[:300]}"


def test_no_operation_answers_a_server_error(api_schema, alice_key):
    headers = {"Authorization": alice_key}
    failures: dict[str, str] = {}
    statuses: Counter[int] = Counter()
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 100

    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=strategy)
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],  # the first failure, not shrunk
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            response = case.call(headers=headers, timeout=30)
            statuses[response.status_code] += 1
            problem = server_error(response)
            assert problem is None, f"{problem}\n{case.as_curl_command(headers=headers)}"

        try:
            fuzz()
        except Exception as exc:  # a server error, or a crash: a reset connection, a timeout
            failures[f"{operation.method.upper()} {operation.path}"] = (
                f"{type(exc).__name__}: {exc}"
            )

    print(f"{len(operations)} operations, {sum(statuses.values())} requests:", dict(statuses))
    assert failures == {}, "\n\n".join(f"{name}: {text}" for name, text in failures.items())
