"""Routes, runs and their outputs for post tests: alice owns the routes and runs them."""

import io

import pytest
from django.utils import timezone
from PIL import Image

from apps.accounts.services import personal_org
from apps.actions.models import Action, ActionAsset, ActionLog, Status
from apps.assets.services import Owner, dataset_create, file_create
from apps.posts.services import post_create
from apps.routes.models import Route
from apps.services.models import Service


def embed_block(asset_id, asset_type="route", view_mode="preview", action_id=None) -> str:
    import json

    attrs = {"id": str(asset_id), "assetType": asset_type, "viewMode": view_mode}
    if action_id:
        attrs["displayConfig"] = {"actionId": str(action_id)}
    return f"```assetComponent\n{json.dumps(attrs)}\n```"


def owner_of(user) -> Owner:
    org = personal_org()
    return Owner(user=user, org=org, team=org.default_team)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def make_route(alice):
    def build(*, owner=None, visibility="public", name="predict", method="POST", path="/predict"):
        owner = owner or alice
        org = personal_org()
        service = Service.objects.create(
            user=owner,
            org=org,
            team=org.default_team,
            name=f"{name} service",
            visibility=visibility,
            base_url="http://127.0.0.1:9",
        )
        return Route.objects.create(
            user=owner,
            org=org,
            team=org.default_team,
            parent=service,
            service=service,
            name=name,
            visibility="inherit",
            method=method,
            path=path,
        )

    return build


@pytest.fixture
def route(make_route):
    return make_route()


@pytest.fixture
def make_action(alice):
    def build(route, *, user=None, status=Status.SUCCESS, response=None, logs=(), **fields):
        user = user or route.user
        org = personal_org()
        now = timezone.now()
        terminal = status in (Status.SUCCESS, Status.ERROR, Status.TIMED_OUT)
        action = Action.objects.create(
            route=route,
            user=user,
            org=org,
            team=org.default_team,
            status=status,
            metadata={"body": {"composition": "Fe2Ni"}, "query": {}, "parameters": {}},
            request={
                "url": "http://127.0.0.1:9/predict",
                "headers": {"Authorization": "[redacted]", "X-Secret-Input": "REQUEST-ONLY-42"},
            },
            response=response if response is not None else {"energy": -4.2},
            started_at=now,
            finished_at=now if terminal else None,
            upstream_status_code=200 if terminal else None,
            **fields,
        )
        for message in logs:
            ActionLog.objects.create(action=action, message=message, origin="upstream")
        return action

    return build


@pytest.fixture
def output_image(alice):
    def build(action, name="chart"):
        file = file_create(
            owner=owner_of(action.user),
            name="chart.png",
            file_name="chart.png",
            content=png_bytes(),
            visibility="private",
        )
        ActionAsset.objects.create(
            action=action, asset=file, role=ActionAsset.Role.OUTPUT, name=name, is_primary=True
        )
        return file

    return build


@pytest.fixture
def output_dataset(alice):
    def build(action, name="table"):
        dataset, _ = dataset_create(
            owner=owner_of(action.user),
            name="results",
            rows=[{"element": "Fe", "count": 2}, {"element": "Ni", "count": 1}],
            visibility="private",
        )
        ActionAsset.objects.create(
            action=action, asset=dataset, role=ActionAsset.Role.OUTPUT, name=name
        )
        return dataset

    return build


@pytest.fixture
def make_post():
    def build(user, text, *, visibility="public", publish=True, name="A post"):
        org = personal_org()
        return post_create(
            user=user,
            org=org,
            team=org.default_team,
            name=name,
            content=text,
            visibility=visibility,
            publish=publish,
        )

    return build
