"""A frontend holding an answer asks with its ETag and gets 304 until something that changes the
answer happens: a purchase, another question, a new cache period; never while the cache is down."""

from __future__ import annotations

import time
from typing import Any

import pytest

from catalog.models import Product
from tests.factories import World, buy, world

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/ada-1/recommendations"


@pytest.fixture
def shop() -> World:
    return world()


def test_an_answer_held_is_confirmed_without_being_sent_again(shop: World) -> None:
    client = shop.clients["customer"]
    first = client.get(URL)
    etag = first["ETag"]

    again = client.get(URL, HTTP_IF_NONE_MATCH=etag)

    assert first.status_code == 200
    assert etag.startswith('W/"')
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_a_purchase_changes_the_answer_and_its_etag(
    shop: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = shop.clients["customer"]
    etag = client.get(URL)["ETag"]

    with django_capture_on_commit_callbacks(execute=True):
        buy(shop.ada.pk, Product.objects.get(sku="85123A").pk, "p-new")
    after = client.get(URL, HTTP_IF_NONE_MATCH=etag)

    assert after.status_code == 200
    assert after["ETag"] != etag


def test_another_question_has_another_etag(shop: World) -> None:
    client = shop.clients["customer"]
    etag = client.get(URL)["ETag"]

    other = client.get(f"{URL}?limit=3", HTTP_IF_NONE_MATCH=etag)

    assert other.status_code == 200
    assert other["ETag"] != etag


def test_no_answer_is_confirmed_for_longer_than_one_is_cached(
    shop: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = shop.clients["customer"]
    etag = client.get(URL)["ETag"]
    now = time.time()

    monkeypatch.setattr(time, "time", lambda: now + settings.RECOMMENDATIONS_CACHE_SECONDS)

    assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_etag_never_opens_another_customers_answer(shop: World) -> None:
    etag = shop.clients["staff"].get("/api/v1/customers/bob-2/recommendations")["ETag"]

    response = shop.clients["customer"].get(
        "/api/v1/customers/bob-2/recommendations", HTTP_IF_NONE_MATCH=etag
    )

    assert response.status_code == 404


@pytest.mark.usefixtures("redis_down")
def test_while_the_cache_is_down_nothing_is_confirmed(shop: World) -> None:
    client = shop.clients["customer"]

    response = client.get(URL, HTTP_IF_NONE_MATCH="*")

    assert response.status_code == 200
    assert "ETag" not in response
