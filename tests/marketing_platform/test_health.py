from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from graph.port import close_graph


@pytest.mark.django_db
@pytest.mark.usefixtures("graph")
def test_health_reports_each_part_with_its_latency() -> None:
    response = APIClient().get("/api/v1/health", HTTP_X_REQUEST_ID="probe-1")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "up"
    assert set(body["checks"]) == {"database", "cache", "broker", "graph", "media", "vectors"}
    assert all(check["status"] == "up" and check["latency_ms"] >= 0 for check in body["checks"].values())
    assert body["checks"]["graph"]["kind"] == ("neo4j" if settings.NEO4J_URL else "embedded")
    assert body["checks"]["media"]["kind"] == ("object store" if settings.MEDIA_S3_BUCKET else "files")
    assert response["X-Request-ID"] == "probe-1"


@pytest.mark.django_db
@pytest.mark.usefixtures("graph")
def test_health_answers_503_naming_what_is_down(settings: object) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",  # type: ignore[attr-defined]
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # fmt: skip

    response = APIClient().get("/api/v1/health")

    assert response.status_code == 503
    assert response.json()["down"] == ["cache"]
    assert response.json()["checks"]["database"]["status"] == "up"


@pytest.mark.django_db
def test_health_names_a_graph_that_was_never_built(settings: Any, tmp_path: Path) -> None:
    close_graph()
    settings.NEO4J_URL = ""
    settings.GRAPH_DIR = tmp_path / "no-graph-here"

    response = APIClient().get("/api/v1/health")

    assert response.status_code == 503
    assert response.json()["down"] == ["graph"]
