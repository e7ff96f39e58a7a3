"""The vector store's contract, on Milvus Lite always and on the Milvus server at ``MILVUS_URI``
when that is set (``make test-milvus``; CI runs it). Every test starts from a collection of its
own, dropped afterwards."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conversations.vectors import close_vector_store, get_vector_store
from conversations.vectors.milvus import MilvusVectorStore
from conversations.vectors.port import VectorFilter, VectorRecord, VectorStore, VectorStoreUnavailable
from tests.support import ROOT, free_port

pytestmark = pytest.mark.vectors

DIMENSION = 16
MODEL = "intfloat/multilingual-e5-small"
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["lite", "server"])
def engine(request: pytest.FixtureRequest, settings: Any, tmp_path: Path) -> str:
    """Where the store is: a Milvus Lite file, or the Milvus server at ``MILVUS_URI``."""
    if request.param == "lite":
        return str(tmp_path / "vectors.db")
    if not settings.MILVUS_URI:
        pytest.skip("no Milvus server: `make milvus`, then `make test-milvus` (CI runs it)")
    return str(settings.MILVUS_URI)


@pytest.fixture
def store(engine: str) -> Iterator[MilvusVectorStore]:
    store = MilvusVectorStore(engine, prefix=f"contract_{uuid.uuid4().hex}", timeout=10)
    store.ensure_collection(dimension=DIMENSION, model=MODEL)
    yield store
    for name in store.client.list_collections():
        if name.startswith(store.prefix):
            store.client.drop_collection(name)
    store.close()


def unit(rng: np.random.Generator, dimension: int = DIMENSION) -> np.ndarray:
    vector = rng.standard_normal(dimension)
    return vector / np.linalg.norm(vector)


def record(pk: int, vector: np.ndarray, customer: int = 1, intent: int | None = None,
           sent_at: datetime = MONDAY) -> VectorRecord:  # fmt: skip
    return VectorRecord(message_id=pk, vector=vector, customer_id=customer, intent_id=intent, sent_at=sent_at)


def test_upserting_an_id_twice_keeps_one_record_with_the_newer_vector(store: VectorStore) -> None:
    rng = np.random.default_rng(1)
    old, new = unit(rng), unit(rng)
    store.upsert([record(1, old), record(2, unit(rng))])

    store.upsert([record(1, new)])

    assert store.count() == 2
    assert store.search(new, 1)[0].message_id == 1
    assert store.search(new, 1)[0].score == pytest.approx(1.0, abs=1e-5)
    assert store.search(old, 2)[0].score < 0.99  # the old vector is gone


def test_the_last_record_of_an_id_in_one_batch_wins(store: VectorStore) -> None:
    rng = np.random.default_rng(2)
    first, last = unit(rng), unit(rng)

    assert store.upsert([record(5, first), record(5, last)]) == 1

    assert list(store.ids()) == [5]
    assert store.search(last, 1)[0].score == pytest.approx(1.0, abs=1e-5)


def test_deleted_vectors_are_gone_and_unknown_ids_are_ignored(store: VectorStore) -> None:
    rng = np.random.default_rng(3)
    vectors = {pk: unit(rng) for pk in range(1, 6)}
    store.upsert([record(pk, vector) for pk, vector in vectors.items()])

    store.delete([2, 4, 99])
    store.delete([2])

    assert store.count() == 3
    assert sorted(store.ids()) == [1, 3, 5]
    assert {hit.message_id for hit in store.search(vectors[2], 5)} == {1, 3, 5}


def test_search_returns_the_k_nearest_by_cosine_best_first(store: VectorStore) -> None:
    rng = np.random.default_rng(4)
    vectors = np.array([unit(rng) for _ in range(40)])
    store.upsert([record(pk + 1, vector) for pk, vector in enumerate(vectors)])
    query = unit(rng)

    hits = store.search(query * 3, 5)  # the length of the question does not matter: cosine

    similarity = vectors @ query
    best = np.argsort(-similarity)[:5]
    assert [hit.message_id for hit in hits] == [int(pk) + 1 for pk in best]
    assert [hit.score for hit in hits] == pytest.approx(similarity[best].tolist(), abs=1e-4)


def test_search_filters_by_customer_intent_and_time(store: VectorStore) -> None:
    rng = np.random.default_rng(5)
    query = unit(rng)
    store.upsert([
        record(1, query, customer=1, intent=7, sent_at=MONDAY),
        record(2, unit(rng), customer=1, intent=None, sent_at=MONDAY + timedelta(days=2)),
        record(3, unit(rng), customer=2, intent=7, sent_at=MONDAY + timedelta(days=3)),
        record(4, unit(rng), customer=3, intent=8, sent_at=MONDAY - timedelta(days=30)),
    ])  # fmt: skip

    def found(**filters: Any) -> set[int]:
        return {hit.message_id for hit in store.search(query, 10, VectorFilter(**filters))}

    assert found() == {1, 2, 3, 4}
    assert found(customer_ids=[1]) == {1, 2}
    assert found(customer_ids=[2, 3]) == {3, 4}
    assert found(customer_ids=[]) == set()
    assert found(intent_id=7) == {1, 3}
    assert found(since=MONDAY + timedelta(days=1)) == {2, 3}
    assert found(since=MONDAY) == {1, 2, 3}  # at or after
    assert found(customer_ids=[1, 2], intent_id=7, since=MONDAY + timedelta(hours=1)) == {3}


def test_search_keeps_the_hits_at_least_as_similar_as_asked(store: VectorStore) -> None:
    rng = np.random.default_rng(6)
    vectors = np.array([unit(rng) for _ in range(40)])
    store.upsert([record(pk + 1, vector, customer=pk % 2) for pk, vector in enumerate(vectors)])
    query = unit(rng)
    similarity = vectors @ query
    bar = float(np.sort(similarity)[-7:-5].mean())  # between the sixth best and the seventh

    hits = store.search(query, 30, VectorFilter(min_score=bar))
    theirs = store.search(query, 30, VectorFilter(min_score=bar, customer_ids=[1]))

    assert [hit.message_id for hit in hits] == [int(pk) + 1 for pk in np.argsort(-similarity)[:6]]
    assert {hit.message_id for hit in theirs} == {hit.message_id for hit in hits if hit.message_id % 2 == 0}
    assert store.search(query, 30, VectorFilter(min_score=1.5)) == []


def test_ids_reads_every_stored_id_across_batches(
    store: VectorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("conversations.vectors.milvus.BATCH", 7)
    rng = np.random.default_rng(6)

    store.upsert([record(int(pk), unit(rng)) for pk in rng.permutation(np.arange(1, 31))])

    assert sorted(store.ids()) == list(range(1, 31))


def test_another_model_or_dimension_empties_the_collection(engine: str, store: MilvusVectorStore) -> None:
    rng = np.random.default_rng(7)
    store.upsert([record(1, unit(rng))])
    again = MilvusVectorStore(engine, prefix=store.prefix, timeout=10)

    assert again.ensure_collection(dimension=DIMENSION, model=MODEL) is False  # it fits: kept
    assert again.count() == 1
    assert again.ensure_collection(dimension=DIMENSION, model="BAAI/bge-m3") is True
    assert again.count() == 0
    again.upsert([record(2, unit(rng))])
    assert again.ensure_collection(dimension=8, model="BAAI/bge-m3") is True
    assert again.count() == 0
    again.upsert([record(3, unit(rng, 8))])
    assert [hit.message_id for hit in again.search(unit(rng, 8), 3)] == [3]


def test_bad_input_is_refused_with_a_reason(store: VectorStore) -> None:
    rng = np.random.default_rng(8)

    with pytest.raises(ValueError, match="16 finite numbers"):
        store.upsert([record(1, unit(rng, 8))])
    with pytest.raises(ValueError, match="16 finite numbers"):
        store.search([float("nan")] * DIMENSION, 3)
    with pytest.raises(ValueError, match="1 to 16384"):
        store.search(unit(rng), 0)
    with pytest.raises(ValueError, match="time zone"):
        store.search(unit(rng), 3, VectorFilter(since=datetime(2026, 1, 1)))  # noqa: DTZ001
    with pytest.raises(ValueError, match="letters, digits"):
        store.ensure_collection(dimension=DIMENSION, model='e5" or 1 == 1')
    assert store.count() == 0


def test_a_store_that_cannot_be_reached_raises_one_readable_error(engine: str, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    unreachable = str(blocked / "vectors.db") if engine.endswith(".db") else f"http://127.0.0.1:{free_port()}"

    with pytest.raises(VectorStoreUnavailable, match="did not answer"):
        MilvusVectorStore(unreachable, prefix="messages", timeout=1).ensure_collection(
            dimension=DIMENSION, model=MODEL
        )


def test_a_milvus_lite_file_open_in_one_process_is_unavailable_to_another(store: MilvusVectorStore) -> None:
    if not store.lite:
        pytest.skip("a server serves every process")
    opening = (
        "import sys, django\n"
        "django.setup()\n"
        "from conversations.vectors.milvus import MilvusVectorStore\n"
        "from conversations.vectors.port import VectorStoreUnavailable\n"
        "try:\n"
        f"    MilvusVectorStore({store.source!r}, prefix='other', timeout=5)\n"
        "except VectorStoreUnavailable as error:\n"
        "    sys.exit(str(error))\n"
    )

    other = subprocess.run(
        [sys.executable, "-c", opening], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert other.returncode == 1
    assert "only one process may open a Milvus Lite store" in other.stderr


def test_the_configured_store_is_the_server_when_set_else_lite(settings: Any, tmp_path: Path) -> None:
    settings.MILVUS_LITE_PATH = tmp_path / "configured.db"
    settings.MILVUS_URI = ""
    try:
        assert get_vector_store().name == "milvus-lite"
        settings.MILVUS_URI = f"http://127.0.0.1:{free_port()}"
        with pytest.raises(VectorStoreUnavailable, match=r"the Milvus server at http://127\.0\.0\.1"):
            get_vector_store()
    finally:
        close_vector_store()
