"""/api/v1/cache: staff read the cache's statistics and forget cached recommendations per
customer or all of them; nobody else may."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache

from recommendations.cache import customer_generations, market_generation
from tests.factories import World, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop() -> World:
    return world()


def test_staff_read_the_statistics_and_each_kind(shop: World) -> None:
    cache.set("recs:probe", 1, 60)

    response = shop.clients["staff"].get("/api/v1/cache")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["backend"] == ("redis" if os.environ.get("REDIS_URL") else "files")
    assert body["entries"] >= 1
    (kind,) = body["kinds"]
    assert (kind["kind"], kind["generation"]) == ("recommendations", market_generation())
    if body["backend"] == "redis":  # a file cache cannot tell its keys apart
        assert kind["entries"] >= 1
        assert body["hits"] is not None
        assert body["misses"] is not None


def test_forgetting_some_customers_leaves_the_others_and_the_shop(shop: World) -> None:
    before = customer_generations([shop.ada.pk, shop.bob.pk])
    market = market_generation()

    response = shop.clients["staff"].post(
        "/api/v1/cache/invalidate",
        {"kind": "recommendations", "customers": ["ada-1", "ada-1"]},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"kind": "recommendations", "scope": "customers", "customers": 1}
    after = customer_generations([shop.ada.pk, shop.bob.pk])
    assert after[shop.ada.pk] == before[shop.ada.pk] + 1
    assert after[shop.bob.pk] == before[shop.bob.pk]
    assert market_generation() == market


def test_forgetting_a_kind_forgets_every_answer(shop: World) -> None:
    staff = shop.clients["staff"]
    first = staff.get("/api/v1/customers/bob-2/recommendations").json()
    market = market_generation()

    response = staff.post("/api/v1/cache/invalidate", {"kind": "recommendations"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"kind": "recommendations", "scope": "all", "customers": 0}
    assert market_generation() == market + 1
    assert staff.get("/api/v1/customers/bob-2/recommendations").json() == first  # computed again, alike


def test_an_unknown_customer_is_named_and_nothing_is_forgotten(shop: World) -> None:
    before = customer_generations([shop.ada.pk])

    response = shop.clients["staff"].post(
        "/api/v1/cache/invalidate",
        {"kind": "recommendations", "customers": ["ada-1", "nobody"]},
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["error_code"] == "validation_error"
    assert body["details"]["errors"] == [
        {"field": "customers.1", "code": "not_found", "message": "No such customer."}
    ]
    assert customer_generations([shop.ada.pk]) == before


@pytest.mark.parametrize("body", [{"kind": "boards"}, {"kind": "recommendations", "customers": "ada-1"}, {}])
def test_bad_input_is_refused_in_the_envelope(shop: World, body: dict[str, object]) -> None:
    response = shop.clients["staff"].post("/api/v1/cache/invalidate", body, format="json")

    assert response.status_code == 400
    assert response.json()["error_code"] == "validation_error"


@pytest.mark.parametrize("caller", ["customer", "service", "no-role", "anonymous"])
def test_only_staff_may_read_or_forget(shop: World, caller: str) -> None:
    client = shop.clients[caller]
    market = market_generation()

    read = client.get("/api/v1/cache")
    forget = client.post("/api/v1/cache/invalidate", {"kind": "recommendations"}, format="json")

    assert read.status_code in (401, 403)
    assert forget.status_code in (401, 403)
    assert market_generation() == market


@pytest.mark.usefixtures("redis_down")
def test_a_cache_that_is_down_is_a_503_not_a_forgetting_that_did_not_happen(shop: World) -> None:
    staff = shop.clients["staff"]

    read = staff.get("/api/v1/cache")
    forget = staff.post("/api/v1/cache/invalidate", {"kind": "recommendations"}, format="json")

    assert (read.status_code, read.json()["error_code"]) == (503, "cache_unavailable")
    assert (forget.status_code, forget.json()["error_code"]) == (503, "cache_unavailable")
