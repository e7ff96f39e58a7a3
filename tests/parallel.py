"""Each pytest-xdist worker (``pytest -n 2``) on state of its own, set before Django reads its settings.

Loaded with ``-p`` (pyproject's addopts), so its hook runs before pytest-django imports the
settings; a conftest would come too late. Without xdist it changes nothing. Per worker ``gwN``:

- ``VAR_DIR`` is ``$VAR_DIR/gwN``: the files, the filesystem broker, the file cache, Milvus Lite,
  the embedded graph and the SQLite test database are the worker's own;
- Redis (the cache and the Celery broker) is database ``n - N`` of ``REDIS_URL``'s ``/n``, so
  ``/15`` gives workers 15 and 14: every test clears the cache (FLUSHDB) and purges the broker,
  and a test's Celery worker must see only that test's tasks;
- PostgreSQL: pytest-django already gives each worker a test database of its own (``…_gwN``).

Neo4j, a Milvus server and an S3-compatible store are shared servers the tests clear or list
wholesale, so those runs stay serial: a worker refuses to start with them configured.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_SERVERS = ("NEO4J_URL", "MILVUS_URI", "MEDIA_S3_BUCKET")
# settings that default to a place inside VAR_DIR, and that place
OWN_PATHS = {"GRAPH_DIR": "graph", "MEDIA_ROOT": "media", "MILVUS_LITE_PATH": "vectors.db"}


def worker_index(worker: str) -> int:
    """``gw3`` → 3."""
    return int(worker.removeprefix("gw"))


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
    shared = [name for name in SHARED_SERVERS if os.environ.get(name)]
    if shared:
        raise pytest.UsageError(
            f"{', '.join(shared)} name a server every worker would share: run these tests without -n"
        )
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
