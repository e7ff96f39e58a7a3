"""/api/v1/models: staff ask for a training (202, a version to poll), never two at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from recommendations.models import ModelStatus, ModelVersion
from recommendations.services import model_version_request
from recommendations.tasks import train_recommender
from tests.factories import Store
from tests.support import QUICK, key_client


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


@pytest.mark.django_db(transaction=True)
def test_requests_at_the_same_moment_start_one_training() -> None:
    barrier = threading.Barrier(4)

    def request() -> tuple[int, bool]:
        barrier.wait()
        try:
            version, created = model_version_request(queue=False)
            return version.pk, created
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: request(), range(4)))

    assert len({pk for pk, _ in answers}) == 1
    assert sum(created for _, created in answers) == 1
    assert ModelVersion.objects.count() == 1


@pytest.mark.django_db
def test_beat_starts_no_second_training_and_an_abandoned_one_gives_way(store: Store) -> None:
    waiting, _ = model_version_request(queue=False)

    assert train_recommender() is None  # beat, while one is training
    assert ModelVersion.objects.count() == 1

    ModelVersion.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(hours=2))
    fresh, created = model_version_request(queue=False)

    waiting.refresh_from_db()
    assert created
    assert (waiting.status, waiting.error) == ("failed", "Abandoned: its training never finished.")
    assert fresh.status == "training"


def test_a_retried_training_after_a_failure_trains_the_same_version(store: Store, settings: Any) -> None:
    settings.RECOMMENDER = {**settings.RECOMMENDER, **QUICK}
    version, _ = model_version_request(queue=False)
    ModelVersion.objects.filter(pk=version.pk).update(
        status=ModelStatus.FAILED, error="OperationalError: gone"
    )

    assert train_recommender(version.pk) == version.pk

    version.refresh_from_db()
    assert (version.status, version.error, version.active) == ("ready", "", True)
