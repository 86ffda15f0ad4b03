"""The asset tools of the official MCP server, ouro-mcp, over stdio against the live server:
search, delete, share, an asset's runs and the routes that take it, and editing a post. An
outsider gets the same not-found as for an id that does not exist."""

import json

import pytest

from apps.accounts.services import personal_org
from apps.actions.models import Action
from apps.assets.models import Asset, AssetShare, Dataset, File
from apps.posts.models import Post
from apps.posts.services import post_create
from tests.assets.conftest import CSV
from tests.test_mcp_server import call_tools

pytestmark = pytest.mark.django_db(transaction=True)

MISSING = "00000000-0000-4000-8000-00000000abcd"


def make_post(user, text: str, *, name: str, visibility: str = "public") -> Post:
    org = personal_org()
    return post_create(
        user=user, org=org, team=org.default_team, name=name, content=text, visibility=visibility
    )


def refusal(text: str, asset_id: str) -> dict:
    """The tool's error, with the asked-for id taken out so two refusals compare."""
    error = json.loads(text.replace(asset_id, "<id>"))
    assert error["error"] == "not_found", error
    return error


def rows(text: str) -> list[dict]:
    """The rows of a list tool's JSON answer (its lead line, if any, dropped)."""
    return json.loads(text[text.index("{") :])["results"]


# search_assets --------------------------------------------------------------------------------


def test_search_assets_finds_by_words_type_and_id_and_hides_what_one_cannot_read(
    live_site, alice, bob, bob_key, make_dataset
):
    public = make_post(alice, "Hold the sample at 650 K.", name="Annealing recipe")
    private = make_post(
        alice, "Annealing, the secret way.", name="Annealing secrets", visibility="private"
    )
    dataset = make_dataset(alice, [{"k": 1}], visibility="public", name="Annealing runs")
    by_words, posts_only, by_id, hidden = call_tools(
        live_site.url,
        bob_key,
        [
            ("search_assets", {"query": "annealing"}),
            ("search_assets", {"query": "annealing", "asset_type": "post"}),
            ("search_assets", {"query": str(dataset.pk)}),
            ("search_assets", {"query": str(private.pk)}),
        ],
    )
    found = {row["id"]: row for row in rows(by_words)}
    assert set(found) == {str(public.pk), str(dataset.pk)}
    assert found[str(public.pk)]["name"] == "Annealing recipe"
    assert found[str(public.pk)]["asset_type"] == "post"
    assert found[str(dataset.pk)]["username"] == "alice"
    assert [row["id"] for row in rows(posts_only)] == [str(public.pk)]
    assert [(row["id"], row["name"]) for row in rows(by_id)] == [
        (str(dataset.pk), "Annealing runs")
    ]
    assert rows(hidden) == []


# delete_asset ---------------------------------------------------------------------------------


def test_delete_asset_previews_then_deletes_a_file(live_site, alice, alice_key, make_file):
    file = make_file(alice, CSV, "people.csv", name="People")
    preview, deleted, again = call_tools(
        live_site.url,
        alice_key,
        [
            ("delete_asset", {"id": str(file.pk), "dry_run": True}),
            ("delete_asset", {"id": str(file.pk)}),
            ("delete_asset", {"id": str(file.pk)}),
        ],
    )
    summary = json.loads(preview)
    assert (summary["deleted"], summary["dry_run"], summary["id"]) == (False, True, str(file.pk))
    assert (summary["name"], summary["asset_type"]) == ("People", "file")
    answer = json.loads(deleted)
    assert (answer["deleted"], answer["id"], answer["name"]) == (True, str(file.pk), "People")
    assert not File.objects.filter(pk=file.pk).exists()
    refusal(again, str(file.pk))


def test_delete_asset_archives_a_service_with_its_routes(live_site, alice, alice_key, csv_stats):
    service = csv_stats.service
    (deleted,) = call_tools(live_site.url, alice_key, [("delete_asset", {"id": str(service.pk)})])
    answer = json.loads(deleted)
    assert (answer["id"], answer["asset_type"], answer["deleted_children_count"]) == (
        str(service.pk),
        "service",
        1,
    )
    (child,) = answer["deleted_children"]
    assert (child["id"], child["name"], child["asset_type"]) == (
        str(csv_stats.pk),
        "CSV stats",
        "route",
    )
    # A service and its routes are archived, so the runs they made keep their history.
    service.refresh_from_db()
    csv_stats.refresh_from_db()
    assert service.archived_at is not None and csv_stats.archived_at is not None
    (after,) = call_tools(live_site.url, alice_key, [("search_assets", {"asset_type": "route"})])
    assert rows(after) == []


def test_delete_asset_by_an_outsider_is_a_not_found_and_deletes_nothing(
    live_site, alice, bob_key, charlie_key, make_file
):
    private = make_file(alice, CSV, "people.csv")
    public = make_post(alice, "Read me.", name="Open notes")
    hidden, missing = call_tools(
        live_site.url,
        charlie_key,
        [("delete_asset", {"id": str(private.pk)}), ("delete_asset", {"id": MISSING})],
    )
    assert refusal(hidden, str(private.pk)) == refusal(missing, MISSING)
    # Seeing an asset is not owning it: a reader who may not edit is refused, not obeyed.
    (readable,) = call_tools(live_site.url, bob_key, [("delete_asset", {"id": str(public.pk)})])
    assert json.loads(readable)["error"] == "permission_denied"
    assert File.objects.filter(pk=private.pk).exists()
    assert Post.objects.filter(pk=public.pk).exists()


# share_asset ----------------------------------------------------------------------------------


def test_share_asset_lets_one_user_read_a_private_asset(
    live_site, alice, alice_key, bob, bob_key, make_dataset
):
    dataset = make_dataset(alice, [{"k": 1}], name="Private rows")
    (before,) = call_tools(live_site.url, bob_key, [("get_asset", {"id": str(dataset.pk)})])
    refusal(before, str(dataset.pk))
    (shared,) = call_tools(
        live_site.url,
        alice_key,
        [("share_asset", {"id": str(dataset.pk), "user_id": str(bob.pk), "role": "read"})],
    )
    assert json.loads(shared) == {"id": str(dataset.pk), "user_id": str(bob.pk), "role": "read"}
    permission = AssetShare.objects.get(asset=dataset, user=bob)
    assert permission.role == "read"
    (after,) = call_tools(live_site.url, bob_key, [("get_asset", {"id": str(dataset.pk)})])
    read = json.loads(after)
    assert (read["id"], read["name"]) == (str(dataset.pk), "Private rows")


def test_share_asset_by_an_outsider_is_a_not_found_and_grants_nothing(
    live_site, alice, charlie, charlie_key, make_dataset
):
    dataset = make_dataset(alice, [{"k": 1}])
    hidden, missing = call_tools(
        live_site.url,
        charlie_key,
        [
            ("share_asset", {"id": str(dataset.pk), "user_id": str(charlie.pk)}),
            ("share_asset", {"id": MISSING, "user_id": str(charlie.pk)}),
        ],
    )
    assert refusal(hidden, str(dataset.pk)) == refusal(missing, MISSING)
    assert not AssetShare.objects.filter(asset=dataset).exists()


# list_asset_actions and get_compatible_routes -------------------------------------------------


@pytest.fixture
def ran_csv_stats(live_site, alice, alice_key, csv_stats, make_file):
    """alice's CSV, run through CSV stats once: (file, action, output dataset)."""
    file = make_file(alice, CSV, "people.csv", name="People")
    (ran,) = call_tools(
        live_site.url,
        alice_key,
        [
            (
                "execute_route",
                {"route_id": str(csv_stats.pk), "input_assets": {"table": str(file.pk)}},
            )
        ],
    )
    action = Action.objects.get(route=csv_stats)
    assert action.status == "success", ran
    output = Dataset.objects.get(name="Column stats")
    return file, action, output


def test_list_asset_actions_shows_the_runs_that_read_and_made_an_asset(
    live_site, alice_key, ran_csv_stats
):
    file, action, output = ran_csv_stats
    as_input, created_by, both = call_tools(
        live_site.url,
        alice_key,
        [
            ("list_asset_actions", {"asset_id": str(file.pk), "role": "input"}),
            ("list_asset_actions", {"asset_id": str(output.pk), "role": "output"}),
            ("list_asset_actions", {"asset_id": str(file.pk)}),
        ],
    )
    run_line = (
        f"- **CSV stats** — id: `{action.pk}` — status: success — route_id: `{action.route_id}`"
    )
    ran_on = f"in: People `{file.pk}` · out: Column stats `{output.pk}`"
    assert "## as_input" in as_input and "## created_by" not in as_input
    assert run_line in as_input and ran_on in as_input
    assert "## created_by" in created_by and "## as_input" not in created_by
    assert run_line in created_by and ran_on in created_by
    # The uploaded file was made by no run: only the run that read it
    assert "## created_by" not in both and run_line in both


def test_list_asset_actions_of_an_outsider_is_a_not_found(live_site, charlie_key, ran_csv_stats):
    file, action, _ = ran_csv_stats
    hidden, missing = call_tools(
        live_site.url,
        charlie_key,
        [
            ("list_asset_actions", {"asset_id": str(file.pk)}),
            ("list_asset_actions", {"asset_id": MISSING}),
        ],
    )
    assert str(action.pk) not in hidden
    assert refusal(hidden, str(file.pk)) == refusal(missing, MISSING)


def test_get_compatible_routes_lists_the_routes_that_take_the_asset(
    live_site, alice, alice_key, csv_stats, image_info, dataset_total, make_file
):
    file = make_file(alice, CSV, "people.csv")
    found, by_intent = call_tools(
        live_site.url,
        alice_key,
        [
            ("get_compatible_routes", {"asset_id": str(file.pk)}),
            ("get_compatible_routes", {"asset_id": str(file.pk), "query": "column statistics"}),
        ],
    )
    listed = rows(found)
    assert [(row["id"], row["name"]) for row in listed] == [(str(csv_stats.pk), "CSV stats")]
    assert listed[0]["username"] == "alice"
    assert [row["id"] for row in rows(by_intent)] == [str(csv_stats.pk)]


def test_get_compatible_routes_of_an_outsider_is_a_not_found(
    live_site, alice, charlie_key, csv_stats, make_file
):
    file = make_file(alice, CSV, "people.csv")
    hidden, missing = call_tools(
        live_site.url,
        charlie_key,
        [
            ("get_compatible_routes", {"asset_id": str(file.pk)}),
            ("get_compatible_routes", {"asset_id": MISSING}),
        ],
    )
    assert "CSV stats" not in hidden
    assert refusal(hidden, str(file.pk)) == refusal(missing, MISSING)


# update_post ----------------------------------------------------------------------------------


def test_update_post_renames_and_rewrites_the_body(live_site, alice, alice_key):
    post = make_post(alice, "First draft.", name="Notes")
    (updated,) = call_tools(
        live_site.url,
        alice_key,
        [
            (
                "update_post",
                {
                    "id": str(post.pk),
                    "name": "Annealing notes",
                    "content_markdown": "# Result\n\nHold at **650 K** for an hour.",
                    "description": "How long to hold it",
                },
            )
        ],
    )
    answer = json.loads(updated)
    assert (answer["id"], answer["name"]) == (str(post.pk), "Annealing notes")
    post.refresh_from_db()
    assert post.name == "Annealing notes"
    assert post.description == "How long to hold it"
    assert "Hold at **650 K** for an hour." in post.content_text
    assert "<strong>650 K</strong>" in post.html


def test_update_post_by_an_outsider_is_a_not_found_and_changes_nothing(
    live_site, alice, charlie_key
):
    post = make_post(alice, "Private draft.", name="Draft", visibility="private")
    hidden, missing = call_tools(
        live_site.url,
        charlie_key,
        [
            ("update_post", {"id": str(post.pk), "name": "Mine now"}),
            ("update_post", {"id": MISSING, "name": "Mine now"}),
        ],
    )
    assert refusal(hidden, str(post.pk)) == refusal(missing, MISSING)
    post.refresh_from_db()
    assert post.name == "Draft"
    assert Asset.objects.filter(name="Mine now").count() == 0
