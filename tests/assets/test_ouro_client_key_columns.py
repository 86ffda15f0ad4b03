"""`datasets.update(key_columns=...)` through the official client: the columns that name a
row are declared on the dataset, then upserts and updates match rows on them."""

import pytest
from ouro import BadRequestError, NotFoundError

from apps.assets.models import Dataset

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ouro(ouro_client, alice_key):
    return ouro_client(alice_key)


@pytest.fixture
def scores(ouro):
    return ouro.datasets.create(
        name="Scores",
        visibility="private",
        data=[{"sample": "a", "score": 1.0}, {"sample": "b", "score": 2.0}],
    )


def test_declared_key_columns_drive_upserts(ouro, scores):
    updated = ouro.datasets.update(str(scores.id), key_columns=["sample"])
    assert updated.metadata.model_dump().get("key_columns") == ["sample"]
    assert Dataset.objects.get(pk=scores.id).key_columns == ["sample"]
    # No key given with the rows: the declared one is used.
    ouro.datasets.update(
        str(scores.id),
        data=[{"sample": "b", "score": 5.0}, {"sample": "c", "score": 3.0}],
        data_mode="upsert",
    )
    rows = sorted(ouro.datasets.query(str(scores.id)).to_dict("records"), key=lambda r: r["sample"])
    assert [(r["sample"], r["score"]) for r in rows] == [("a", 1.0), ("b", 5.0), ("c", 3.0)]


def test_key_columns_that_cannot_name_rows_are_refused(ouro, scores, ouro_client, charlie_key):
    with pytest.raises(BadRequestError, match="names no column of this dataset: nope"):
        ouro.datasets.update(str(scores.id), key_columns=["nope"])
    with pytest.raises(BadRequestError, match="must be a list of column names"):
        ouro.datasets.update(str(scores.id), key_columns="sample")
    ouro.datasets.update(str(scores.id), data=[{"sample": "a", "score": 9.0}], data_mode="append")
    with pytest.raises(BadRequestError, match="two rows have sample='a'"):
        ouro.datasets.update(str(scores.id), key_columns=["sample"])
    assert Dataset.objects.get(pk=scores.id).key_columns == []
    with pytest.raises(NotFoundError):
        ouro_client(charlie_key).datasets.update(str(scores.id), key_columns=["sample"])
