from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from graph.embedded import GraphDirectory
from graph.port import Graph, close_graph, get_graph, open_engine

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
ONLINE_RETAIL = SHARED_DATA / "online-retail" / "online_retail_2010_2011.csv.gz"
DEMO_SAMPLE = ROOT / "demo" / "online_retail_sample.csv"


def free_port() -> int:
    """A TCP port on the loopback nobody listens on now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch_media(address: str) -> tuple[int, bytes]:
    """Follow a /media/ address as a browser or email client would: the platform, then the
    signed object-store address it redirects to (on an object store)."""
    response: Any = Client().get(address)
    if response.status_code == 302:
        outside = requests.get(response["Location"], timeout=10)
        return outside.status_code, outside.content
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that opens the graph, so CI can run them again on Neo4j (``-m graph``);
    skip those about the embedded graph's own files when the graph is Neo4j."""
    on_neo4j = bool(os.environ.get("NEO4J_URL"))
    for item in items:
        if "graph" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.graph)
        if on_neo4j and item.get_closest_marker("embedded_graph"):
            item.add_marker(pytest.mark.skip(reason="about the embedded graph's files; the graph is Neo4j"))
