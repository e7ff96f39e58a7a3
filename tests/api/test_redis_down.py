"""With Redis unreachable (the cache, the rate-limit store and the broker): the API serves,
degraded, says so, and loses no write."""

from __future__ import annotations

from collections.abc import Iterator
from copy import deepcopy
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from prometheus_client import REGISTRY
from rest_framework.test import APIClient

from catalog.models import Product
from catalog.services import category_tree_sync, products_create_missing
from catalog.taxonomy import categorize
from customers.models import Customer, CustomerInterest, Purchase
from customers.services.interests import interest_taxonomy_sync_from_catalog, stale_interests_recompute
from graph.models import GraphChange
from marketing_platform.celery import app as celery_app
from tests.customers.test_ingest_api import BATCH
from tests.factories import World
from tests.support import free_port
from visionboards.models import BoardStatus, VisionBoard


@pytest.fixture
def broker_down() -> Iterator[None]:
    """The Celery broker, at an address nobody listens on."""
    previous = celery_app.conf.broker_url
    celery_app.conf["broker_url"] = f"redis://127.0.0.1:{free_port()}/0"
    celery_app._after_fork()  # type: ignore[attr-defined]  # drops the connections to the broker that is up
    yield
    celery_app.conf["broker_url"] = previous
    celery_app._after_fork()  # type: ignore[attr-defined]


def _store_down(limit: str, decision: str) -> float:
    labels = {"limit": limit, "decision": decision}
    return REGISTRY.get_sample_value("platform_rate_limit_store_down_total", labels) or 0.0


@pytest.mark.usefixtures("redis_down")
def test_recommendations_are_computed_afresh_and_say_the_cache_is_down(world: World) -> None:
    response = world.clients["customer"].get("/api/v1/customers/ada-1/recommendations?limit=3")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["mode"], body["degraded"]) == ("no_model", ["no_model", "cache_unavailable"])


@pytest.mark.usefixtures("redis_down", "broker_down")
def test_an_email_renders_without_the_cache(world: World) -> None:
    response = world.clients["service"].post("/api/v1/customers/ada-1/email", {}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["personalization"]["recommendation_mode"] == "no_model"
    assert body["personalization"]["unsubscribe_url"] in body["html"]


@pytest.mark.usefixtures("redis_down", "broker_down")
def test_a_board_is_requested_once_and_its_render_left_for_later(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    url = "/api/v1/customers/ada-1/vision-board"
    with django_capture_on_commit_callbacks(execute=True):  # the render task meets the broker that is down
        first = world.clients["staff"].get(url)
    with django_capture_on_commit_callbacks(execute=True):
        again = world.clients["staff"].get(url)

    assert (first.status_code, again.status_code) == (202, 202), first.content
    board = VisionBoard.objects.get()  # pending, found again (and queued again once it is lost)
    assert (board.version, board.status) == (1, BoardStatus.PENDING)


@pytest.mark.usefixtures("redis_down", "broker_down")
def test_a_ready_board_is_served_while_the_cache_cannot_tell_whether_it_is_stale(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    VisionBoard.objects.create(customer=world.ada, version=1, status=BoardStatus.READY, source={"state": "x"})

    with django_capture_on_commit_callbacks(execute=True):
        response = world.clients["staff"].get("/api/v1/customers/ada-1/vision-board")

    assert response.status_code == 200, response.content
    assert VisionBoard.objects.count() == 1


@pytest.fixture
def catalog(db: None) -> None:
    categories = category_tree_sync()
    interest_taxonomy_sync_from_catalog()
    products_create_missing(
        [
            Product(sku=sku, name=name, category_id=categories[categorize(name)], price=Decimal("2.55"))
            for sku, name in (
                ("85123A", "WHITE HANGING HEART T-LIGHT HOLDER"),
                ("22086", "PAPER CHAIN KIT 50'S CHRISTMAS"),
            )
        ]
    )


@pytest.mark.usefixtures("redis_down", "broker_down", "catalog")
def test_an_ingest_is_stored_once_and_its_follow_up_done_by_the_drains(transactional_db: None) -> None:
    # given a service whose batch commits for real: the after-commit work meets Redis down
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("ops", is_staff=True))
    url = "/api/v1/customers/C-1/data"

    # when it sends the batch, then sends it again
    first = client.post(url, BATCH, format="json")
    again = client.post(url, deepcopy(BATCH), format="json")

    # then both succeed and the purchases are stored once
    assert first.status_code == 201, first.content
    assert again.status_code == 200, again.content
    assert again.json()["purchases"] == {"created": 0, "duplicate": 3}
    assert Purchase.objects.count() == 3
    # and the work the broker did not take waits for the periodic drains
    customer = Customer.objects.get(external_id="C-1")
    assert customer.interests_stale_at is not None
    assert GraphChange.objects.filter(entity_id=customer.pk).exists()
    assert stale_interests_recompute() == 1
    assert CustomerInterest.objects.filter(customer=customer).count() > 1


@pytest.mark.usefixtures("redis_down")
def test_rate_limits_fail_open_by_default_and_count_it(world: World, settings: Any) -> None:
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "staff": "1/m"}
    before = _store_down("principal", "allowed")

    statuses = [world.clients["staff"].get("/api/v1/customers/ada-1").status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert _store_down("principal", "allowed") == before + 3


@pytest.mark.usefixtures("redis_down")
def test_rate_limits_fail_closed_answer_503_with_retry_after(world: World, settings: Any) -> None:
    settings.RATE_LIMIT_FAIL_OPEN = False
    before = _store_down("failures", "refused")

    response = world.clients["staff"].get("/api/v1/customers/ada-1")

    assert response.status_code == 503
    assert response.json()["error_code"] == "rate_limit_unavailable"
    assert int(response["Retry-After"]) >= 1
    assert _store_down("failures", "refused") == before + 1


@pytest.mark.usefixtures("redis_down")
def test_health_reports_the_cache_down(db: None) -> None:
    body = APIClient().get("/api/v1/health").json()

    assert body["checks"]["cache"] | {"latency_ms": 0} == {
        "status": "down",
        "error": "CacheUnavailable",
        "latency_ms": 0,
    }
