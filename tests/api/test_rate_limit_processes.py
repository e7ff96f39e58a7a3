"""Rate limits hold across web processes: both count in the shared store (Redis in services mode)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from marketing_platform.api.scopes import Scope
from marketing_platform.api_keys import api_key_create
from tests.support import ROOT, free_port

LIMIT = 4


def _get(url: str, key: str) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Authorization": f"Api-Key {key}"})  # noqa: S310 - http only
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own test server
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def _up(url: str) -> bool:
    """The server answers (its health may say 503: these servers run without a graph)."""
    try:
        return _get(f"{url}/api/v1/health", "none")[0] in (200, 503)
    except urllib.error.URLError:
        return False


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[list[str]]:
    if connection.vendor != "postgresql":
        pytest.skip("needs a database two processes can share (PostgreSQL, as in CI)")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "RATE_LIMIT_SERVICE": f"{LIMIT}/h",
        "VAR_DIR": str(tmp_path),  # the file cache when REDIS_URL is unset: shared by both too
    }
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "waitress",
                f"--listen=127.0.0.1:{port}",
                "marketing_platform.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url in urls:
            deadline = time.monotonic() + 30
            while not _up(url):
                assert time.monotonic() < deadline, f"{url} did not start"
                time.sleep(0.2)
        yield urls
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_limit_holds_across_two_processes(two_servers: list[str]) -> None:
    _, key = api_key_create(name="busy service", scopes=[Scope.CATALOG_READ])

    statuses = [_get(f"{two_servers[i % 2]}/api/v1/products", key)[0] for i in range(LIMIT)]
    status, headers = _get(f"{two_servers[LIMIT % 2]}/api/v1/products", key)

    assert statuses == [200] * LIMIT
    assert status == 429
    assert 1 <= int(headers["Retry-After"]) <= 3600
