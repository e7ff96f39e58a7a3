"""Each pytest-xdist worker (``pytest -n 2``) on state of its own, set before Django reads its settings.

Loaded with ``-p`` (pyproject's addopts), so its hook runs before pytest-django imports the
settings; a conftest would come too late. Without xdist it changes nothing. Per worker ``gwN``:

- ``VAR_DIR`` is ``$VAR_DIR/gwN``: the files, the filesystem broker, the file cache, Milvus Lite,
  the embedded graph and the SQLite test database are the worker's own;
- Redis (the cache and the Celery broker) is database ``n - N`` of ``REDIS_URL``'s ``/n``, so
  ``/15`` gives workers 15 and 14: every test clears the cache (FLUSHDB) and purges the broker,
  and a test's Celery worker must see only that test's tasks;
- PostgreSQL: pytest-django already gives each worker a test database of its own (``…_gwN``);
- Neo4j (every test clears it) is one server per worker: ``NEO4J_URL``'s port ``+ N``, so with
  ``…:7687`` worker 1 needs a second Neo4j on 7688 (``.ci/run`` starts it);
- the S3-compatible store is shared, each worker under a prefix of its own (``MEDIA_S3_PREFIX``);
- the Milvus server is shared: each test's collections already carry a prefix of their own.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
# settings that default to a place inside VAR_DIR, and that place
OWN_PATHS = {"GRAPH_DIR": "graph", "MEDIA_ROOT": "media", "MILVUS_LITE_PATH": "vectors.db"}


def worker_index(worker: str) -> int:
    """``gw3`` → 3."""
    return int(worker.removeprefix("gw"))


def neo4j_url_for(url: str, index: int) -> str:
    """``url`` with its port raised by ``index`` (``bolt://u:p@h:7687``, 1 → ``…:7688``)."""
    parts = urlsplit(url)
    port = parts.port or 7687
    host = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
    return urlunsplit(parts._replace(netloc=f"{host}:{port + index}"))


def redis_url_for(url: str, index: int) -> str:
    """``url`` with its database number lowered by ``index`` (``redis://h:6379/15``, 1 → ``…/14``)."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    if base - index < 0:
        raise pytest.UsageError(
            f"pytest-xdist worker {index} needs Redis database {base} - {index}: "
            f"give REDIS_URL a database number of at least the worker count - 1 ({url})"
        )
    return urlunsplit(parts._replace(path=f"/{base - index}"))


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    index = worker_index(worker)
    var_dir = Path(os.environ.get("VAR_DIR") or ROOT / "var") / worker
    os.environ["VAR_DIR"] = str(var_dir)
    # Paths set on their own would still be shared: each goes inside the worker's VAR_DIR.
    for name, inside in OWN_PATHS.items():
        if os.environ.get(name):
            os.environ[name] = str(var_dir / inside)
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("redis://", "rediss://")):
            os.environ[name] = redis_url_for(url, index)
    if os.environ.get("NEO4J_URL"):
        os.environ["NEO4J_URL"] = neo4j_url_for(os.environ["NEO4J_URL"], index)
    if os.environ.get("MEDIA_S3_BUCKET"):
        os.environ["MEDIA_S3_PREFIX"] = "/".join(filter(None, (os.environ.get("MEDIA_S3_PREFIX"), worker)))


# The longest kinds of test, in the order they start on the workers: the full import, the
# browser journeys, then the tests that run a real Celery worker.
LONGEST_FIRST = ("slow", "browser", "worker")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On workers, the longest tests start first, so that neither worker is left running one
    of them at the end while the other idles. The order is the same on every worker, as
    pytest-xdist requires; within each kind, tests keep the order they were collected in."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return

    def kind(item: pytest.Item) -> int:
        return next(
            (n for n, mark in enumerate(LONGEST_FIRST) if item.get_closest_marker(mark)), len(LONGEST_FIRST)
        )

    items.sort(key=kind)
