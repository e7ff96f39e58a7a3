"""The fixtures every test directory shares. Builders live in ``tests/factories.py`` and plain
helpers in ``tests/support.py``; a directory's conftest holds only what that directory uses."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import django.test.testcases as django_testcases
import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

from graph.embedded import GraphDirectory
from graph.port import Graph, close_graph, get_graph, open_engine
from marketing_platform.celery import app as celery_app
from recommendations.services import model_version_train
from tests import factories
from tests.support import ONLINE_RETAIL, QUICK, WorkerStarter, free_port


def pytest_configure(config: pytest.Config) -> None:
    """Passwords hash with a fast hasher: tests create many users and prove nothing about PBKDF2.
    The live server answers /media/ through the platform's own view (signed links, redirects to
    the object store), as a deployed server does; Django's would read ``MEDIA_ROOT`` directly."""
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    django_testcases._MediaFilesHandler = lambda application: application  # type: ignore[assignment,misc]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Each run starts on an empty broker: tasks an earlier run left behind (their rows are gone)
    must not reach this run's workers."""
    celery_app.control.purge()


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()


@pytest.fixture
def celery_worker() -> WorkerStarter:
    """Starts a real worker (a thread, on the configured broker) when the test says so; it sees
    only this test's tasks: what earlier tests queued is discarded before the test begins."""
    celery_app.control.purge()
    return lambda: start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30)


@pytest.fixture
def redis_down(settings: Any) -> None:
    """The platform's Redis cache, at an address nobody listens on."""
    settings.CACHES = {
        "default": {
            "BACKEND": "marketing_platform.cache.PlatformRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }


@pytest.fixture
def online_retail_full() -> Path:
    if not ONLINE_RETAIL.exists():
        pytest.skip(f"the full Online Retail file is not here ({ONLINE_RETAIL}); CI has ../shared")
    return ONLINE_RETAIL


@pytest.fixture
def staff_client(db: None) -> APIClient:
    user = get_user_model().objects.create_user("staff", password="unused-here", is_staff=True)
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def graph(settings: Any, tmp_path: Path) -> Iterator[Graph]:
    """An empty graph with the schema installed: embedded in a fresh directory, or the
    Neo4j at ``NEO4J_URL`` (cleared) when that is set."""
    close_graph()
    if not settings.NEO4J_URL:
        settings.GRAPH_DIR = tmp_path / "graph"
        directory = GraphDirectory(settings.GRAPH_DIR)
        generation = directory.new_generation()
        open_engine(generation).close()
        directory.switch_to(generation)
    graph = get_graph()
    graph.clear()
    yield graph
    close_graph()


@pytest.fixture
def graph_down(settings: Any, tmp_path: Path) -> Iterator[None]:
    """The configured graph cannot be reached: a Neo4j nobody listens for, or an embedded
    graph never built."""
    close_graph()
    if settings.NEO4J_URL:
        settings.NEO4J_URL = f"bolt://neo4j:unused@127.0.0.1:{free_port()}"
    else:
        settings.GRAPH_DIR = tmp_path / "gone"
    yield
    close_graph()


@pytest.fixture
def shop(db: None) -> factories.Shop:
    """Two customers and three products, written through the services (so through the outbox)."""
    return factories.shop()


@pytest.fixture
def world(db: None, graph: Graph) -> factories.World:
    return factories.world()


@pytest.fixture
def store(db: None, graph: Graph, tmp_path: Path) -> factories.Store:
    """The demo sample of the real data set, its graph, and no model yet."""
    return factories.store(tmp_path)


@pytest.fixture
def trained(store: factories.Store) -> factories.Store:
    store.version = model_version_train(parameters=QUICK)
    return store


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that opens the graph, so CI can run them again on Neo4j (``-m graph``);
    skip those about the embedded graph's own files when the graph is Neo4j."""
    on_neo4j = bool(os.environ.get("NEO4J_URL"))
    for item in items:
        if "graph" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.graph)
        if on_neo4j and item.get_closest_marker("embedded_graph"):
            item.add_marker(pytest.mark.skip(reason="about the embedded graph's files; the graph is Neo4j"))
