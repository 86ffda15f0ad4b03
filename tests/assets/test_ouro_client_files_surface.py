"""The rest of ouro-py's files resource against the live server: list, delete, share, and the
partial built from a local file (a helper of the client: it reads the file, no HTTP call)."""

import httpx
import pytest
from ouro import NotFoundError, PermissionDeniedError

from apps.assets.models import AssetShare, File
from tests.assets.conftest import CSV, png_bytes

pytestmark = pytest.mark.django_db(transaction=True)

MISSING = "00000000-0000-4000-8000-000000000000"


def test_files_list_finds_mine_and_only_public_ones_for_an_outsider(
    ouro_client, alice_key, charlie_key
):
    ouro = ouro_client(alice_key)
    shown = ouro.files.create(
        name="Survey table", visibility="public", file_content=CSV, file_name="survey.csv"
    )
    hidden = ouro.files.create(
        name="Survey chart", visibility="private", file_content=png_bytes(), file_name="s.png"
    )
    mine = ouro.files.list(query="survey")
    assert {str(f.id) for f in mine} == {str(shown.id), str(hidden.id)}
    assert all(f.asset_type == "file" for f in mine)
    assert [str(f.id) for f in ouro.files.list(query="survey", extension="png")] == [str(hidden.id)]
    assert [str(f.id) for f in ouro_client(charlie_key).files.list(query="survey")] == [
        str(shown.id)
    ]


def test_files_delete_with_a_dry_run_first_and_an_outsider_refused(
    ouro_client, alice_key, charlie_key
):
    ouro = ouro_client(alice_key)
    file = ouro.files.create(
        name="Old table", visibility="private", file_content=CSV, file_name="old.csv"
    )
    shown = ouro.files.create(
        name="Open table", visibility="public", file_content=CSV, file_name="open.csv"
    )
    outsider = ouro_client(charlie_key)
    with pytest.raises(PermissionDeniedError):  # seen, but not theirs to delete
        outsider.files.delete(str(shown.id))
    assert outsider.files.retrieve(str(shown.id)).name == "Open table"
    with pytest.raises(NotFoundError) as refused:
        outsider.files.delete(str(file.id))
    with pytest.raises(NotFoundError) as missing:
        outsider.files.delete(MISSING)
    assert refused.value.status_code == missing.value.status_code == 404
    dry = ouro.files.delete(str(file.id), dry_run=True)
    assert (str(dry.id), dry.asset_type, dry.dry_run) == (str(file.id), "file", True)
    assert ouro.files.retrieve(str(file.id)).name == "Old table"
    done = ouro.files.delete(str(file.id))
    assert (str(done.id), done.dry_run) == (str(file.id), False)
    with pytest.raises(NotFoundError):
        ouro.files.retrieve(str(file.id))
    assert not File.objects.filter(pk=file.id, archived_at__isnull=True).exists()


def test_files_share_lets_that_user_read_and_no_one_else(
    ouro_client, alice_key, bob, bob_key, charlie, charlie_key
):
    ouro = ouro_client(alice_key)
    file = ouro.files.create(
        name="Private notes", visibility="private", file_content=CSV, file_name="notes.csv"
    )
    bob_client = ouro_client(bob_key)
    with pytest.raises(NotFoundError):
        bob_client.files.retrieve(str(file.id))
    assert ouro.files.share(str(file.id), bob.pk) is None
    assert AssetShare.objects.get(asset_id=file.id, user=bob).role == "read"
    shared = bob_client.files.retrieve(str(file.id))
    assert shared.name == "Private notes" and httpx.get(shared.data.url).content == CSV
    outsider = ouro_client(charlie_key)
    with pytest.raises(NotFoundError):
        outsider.files.retrieve(str(file.id))
    # Sharing what one cannot see is the 404 of a missing id, and grants nothing.
    with pytest.raises(NotFoundError):
        outsider.files.share(str(file.id), charlie.pk)
    with pytest.raises(NotFoundError):
        outsider.files.share(MISSING, charlie.pk)
    assert not AssetShare.objects.filter(asset_id=file.id, user=charlie).exists()


def test_a_partial_from_a_local_file_becomes_a_file_of_the_post(
    ouro_client, alice_key, bob_key, tmp_path
):
    ouro = ouro_client(alice_key)
    path = tmp_path / "energy.csv"
    path.write_bytes(CSV)
    partial = ouro.files.partial_from_file(path, name="Energy", description="From disk")
    assert partial == ouro.files.partial_from_bytes(
        CSV, "energy.csv", name="Energy", description="From disk"
    )
    editor = ouro.posts.Editor()
    editor.new_partial_asset(partial)
    post = ouro.posts.create(name="From disk", content=editor, visibility="private")
    (embedded,) = [n["attrs"] for n in ouro.posts.retrieve(str(post.id)).content.data["content"]]
    file = ouro.files.retrieve(embedded["id"])
    assert (file.name, file.description.text, file.metadata.type) == (
        "Energy",
        "From disk",
        "text/csv",
    )
    assert str(file.parent_id) == str(post.id)
    assert httpx.get(file.data.url).content == CSV
    with pytest.raises(NotFoundError):
        ouro_client(bob_key).files.retrieve(embedded["id"])
