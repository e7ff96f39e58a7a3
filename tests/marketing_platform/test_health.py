from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.mark.django_db
def test_health_reports_each_part_with_its_latency() -> None:
    response = APIClient().get("/api/v1/health", HTTP_X_REQUEST_ID="probe-1")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "up"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["status"] == "up" and check["latency_ms"] >= 0 for check in body["checks"].values())
    assert response["X-Request-ID"] == "probe-1"
