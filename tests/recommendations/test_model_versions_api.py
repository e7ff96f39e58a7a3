"""/api/v1/models: staff ask for a training (202, a version to poll), never two at once."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from recommendations.models import ModelStatus, ModelVersion
from recommendations.tasks import train_recommender
from tests.api.conftest import key_client
from tests.recommendations.conftest import QUICK, Store


def test_a_training_request_is_a_version_to_poll_and_a_repeat_starts_nothing(
    store: Store, staff_client: APIClient, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.RECOMMENDER = {**settings.RECOMMENDER, **QUICK}
    with django_capture_on_commit_callbacks() as queued:
        first = staff_client.post("/api/v1/models")
        again = staff_client.post("/api/v1/models")

    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json()["status"] == "training"
    assert again.json()["id"] == first.json()["id"]
    assert first["Location"].endswith(f"/api/v1/models/{first.json()['id']}")
    assert len(queued) == 1  # one training queued, not two

    train_recommender(first.json()["id"])
    train_recommender(first.json()["id"])  # a redelivered task trains nothing more

    polled = staff_client.get(first["Location"]).json()
    assert (polled["status"], polled["active"]) == ("ready", True)
    assert polled["data"]["customers"] > 0
    assert ModelVersion.objects.count() == 1
    assert staff_client.post("/api/v1/models").json()["id"] != first.json()["id"]


@pytest.mark.django_db
def test_only_staff_may_train() -> None:
    response = key_client("customers:read", "ingest").post("/api/v1/models")

    assert response.status_code == 403
    assert response.json()["error_code"] == "permission_denied"
    assert not ModelVersion.objects.filter(status=ModelStatus.TRAINING).exists()
