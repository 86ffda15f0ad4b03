"""Services and routes for execution tests, pointing at the demo upstream on loopback."""

import pytest

from apps.accounts.services import personal_org
from apps.routes.models import ExecutionMode, Route
from apps.services.credentials import encrypt_secret
from apps.services.models import AuthMethod, Service

JSON = "application/json"


def json_body(schema: dict, required: bool = True) -> dict:
    return {"required": required, "content": {JSON: {"schema": schema}}}


@pytest.fixture
def make_service(alice, demo_upstream):
    def build(*, owner=None, base_url=None, visibility="public", auth=None, secret=None, **extra):
        owner = owner or alice
        org = extra.pop("org", None) or personal_org()
        service = Service(
            user=owner,
            org=org,
            team=org.default_team,
            name=extra.pop("name", "Demo"),
            visibility=visibility,
            base_url=base_url or demo_upstream,
            auth_method=auth or AuthMethod.NONE,
            **extra,
        )
        if secret:
            service.credential_encrypted = encrypt_secret(secret)
        service.save()
        return service

    return build


@pytest.fixture
def make_route(make_service):
    def build(method: str, path: str, *, service=None, name=None, **fields):
        service = service or make_service()
        route = Route(
            user=service.user,
            org=service.org,
            team=service.team,
            parent=service,
            service=service,
            name=name or f"{method.lower()}-{path.strip('/').replace('/', '-').strip('{}')}",
            visibility=fields.pop("visibility", "inherit"),
            method=method.upper(),
            path=path,
            **fields,
        )
        route.save()
        return route

    return build


@pytest.fixture
def hello_route(make_route):
    return make_route(
        "GET",
        "/hello",
        name="hello",
        description="A fast JSON answer. Try it with your **name**.",
        parameters=[
            {
                "name": "name",
                "in": "query",
                "schema": {"type": "string", "default": "world", "maxLength": 100},
            }
        ],
        responses={"200": {"description": "OK"}},
    )


@pytest.fixture
def item_route(make_route):
    return make_route(
        "GET",
        "/items/{item_id}",
        name="get-item",
        parameters=[
            {"name": "item_id", "in": "path", "required": True, "schema": {"type": "string"}},
            {
                "name": "currency",
                "in": "query",
                "schema": {"type": "string", "enum": ["USD", "EUR"]},
            },
            {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
        ],
    )


@pytest.fixture
def echo_route(make_route):
    return make_route(
        "POST",
        "/echo",
        name="echo",
        request_body=json_body(
            {
                "type": "object",
                "required": ["count"],
                "properties": {
                    "count": {"type": "integer", "minimum": 1, "maximum": 10},
                    "email": {"type": "string", "format": "email"},
                },
            },
            required=False,
        ),
    )


@pytest.fixture
def fail_route(make_route):
    return make_route("GET", "/fail", name="fail")


@pytest.fixture
def slow_route(make_route):
    return make_route(
        "GET",
        "/slow",
        name="slow",
        parameters=[{"name": "seconds", "in": "query", "schema": {"type": "number"}}],
    )


@pytest.fixture
def jobs_route(make_route):
    return make_route(
        "POST",
        "/jobs",
        name="jobs",
        execution_mode=ExecutionMode.ASYNC,
        request_body=json_body({"type": "object"}, required=False),
    )


@pytest.fixture
def recorder():
    from tests.actions.recorder import Recorder

    upstream = Recorder()
    yield upstream
    upstream.close()


@pytest.fixture
def running_action(jobs_route, alice):
    """An in-progress run of the async jobs route and its webhook token: (action, token)."""
    from django.utils import timezone

    from apps.actions.models import Action, Status
    from apps.actions.webhooks import webhook_issue

    def build(*, route=None, user=None, **fields):
        now = timezone.now()
        org = personal_org()
        action = Action.objects.create(
            route=route or jobs_route,
            user=user or alice,
            org=org,
            team=org.default_team,
            status=fields.pop("status", Status.IN_PROGRESS),
            started_at=now,
            ack_at=now,
            **fields,
        )
        return action, webhook_issue(action)[1]

    return build
