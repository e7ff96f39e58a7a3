"""``/app/``: the built customer app's page, for every path under it, under a same-origin policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from marketing_platform import customer_app


@pytest.mark.parametrize("path", ["/app/", "/app/interests", "/app/preferences/deeper"])
def test_every_path_of_the_app_answers_its_page_with_no_inline_scripts_allowed(
    client: Client, path: str
) -> None:
    assert customer_app.BUILT_PAGE.exists(), "the app is not built: run `make frontend`"

    response = client.get(path)

    assert response.status_code == 200
    assert b'<div id="root">' in response.content
    assert b'src="/static/app/assets/' in response.content
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy


def test_behind_an_object_store_the_boards_pictures_may_come_from_it(client: Client, settings: Any) -> None:
    settings.MEDIA_S3_BUCKET = "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "endpoint_url": "http://minio:9000", "public_endpoint_url": "https://media.example.com/store"}},
    }  # fmt: skip

    policy = client.get("/app/")["Content-Security-Policy"]

    assert "img-src 'self' data: https://media.example.com;" in policy
    assert "script-src 'self';" in policy


def test_an_app_that_was_not_built_says_how_to_build_it(
    client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(customer_app, "BUILT_PAGE", tmp_path / "index.html")

    response = client.get("/app/")

    assert response.status_code == 503
    assert b"make frontend" in response.content


def test_writes_to_the_app_page_are_refused(client: Client) -> None:
    assert client.post("/app/").status_code == 405
