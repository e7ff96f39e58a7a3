"""Messages found by meaning: GET /api/v1/messages/search and customers who talk about something."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from conversations.models import Intent, Message
from conversations.search import customers_talking_about
from conversations.services.recording import MessageRow, messages_record
from conversations.services.vectors import messages_embed
from conversations.vectors import close_vector_store
from conversations.vectors.port import VectorStore
from marketing_platform.api.scopes import Scope
from tests.conversations.conftest import People
from tests.support import free_port, jwt_client, key_client

pytestmark = pytest.mark.vectors

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SEARCH = "/api/v1/messages/search"


@pytest.fixture
def talk(vectors: VectorStore, people: People) -> dict[str, Message]:
    """Ada asks about her parcel on Monday and a refund on Friday; Bob about his parcel on Friday."""
    said = [
        (people.ada, "a-parcel", "Where is my parcel? It still has not arrived.", MONDAY),
        (
            people.ada,
            "a-refund",
            "I returned the jumper, when do I get my money back?",
            MONDAY + timedelta(4),
        ),
        (people.bob, "b-parcel", "My package was never delivered to my house.", MONDAY + timedelta(4)),
        (people.bob, "b-candle", "Do you sell these candles in red?", MONDAY),
    ]
    written = messages_record(
        [MessageRow(who.pk, "chat", key, text, "chat", when, None, "en") for who, key, text, when in said]
    )
    messages_embed(ids=written.changed_ids)
    delivery = Intent.objects.create(name="Delivery", slug="delivery")
    Message.objects.filter(message_id__in=["a-parcel", "b-parcel"]).update(intent=delivery)
    messages_embed(ids=written.changed_ids, force=True)  # the intents into the vectors
    return {message.message_id: message for message in Message.objects.all()}


def search(client: APIClient, **params: Any) -> Any:
    response = client.get(SEARCH, params)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_search_answers_the_nearest_messages_best_first(
    staff_client: APIClient, talk: dict[str, Message]
) -> None:
    results = search(staff_client, q="parcel not delivered", k=3)

    assert [r["id"] for r in results[:2]] == [talk["a-parcel"].pk, talk["b-parcel"].pk]
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    first = results[0]
    assert set(first) == {"id", "customer", "text", "sent_at", "intent", "score"}
    assert first["intent"] == "delivery"
    assert len(results) == 3


def test_search_filters_by_customer_intent_and_time(
    staff_client: APIClient, talk: dict[str, Message]
) -> None:
    def ids(**params: Any) -> set[int]:
        return {r["id"] for r in search(staff_client, q="parcel not delivered", **params)}

    assert ids(customer="ada-1") == {talk["a-parcel"].pk, talk["a-refund"].pk}
    assert ids(intent="delivery") == {talk["a-parcel"].pk, talk["b-parcel"].pk}
    assert ids(since="2026-12-01T00:00:00Z") == {talk["a-refund"].pk, talk["b-parcel"].pk}
    assert ids(customer="bob-2", intent="delivery", since="2026-12-01T00:00:00+00:00") == {
        talk["b-parcel"].pk
    }


@pytest.mark.usefixtures("talk")
def test_a_bad_search_is_a_validation_error_naming_the_parameter(staff_client: APIClient) -> None:
    bad: list[tuple[dict[str, str], str]] = [
        ({}, "q"),
        ({"q": "  "}, "q"),
        ({"q": "x", "customer": "nobody"}, "customer"),
        ({"q": "x", "intent": "nothing"}, "intent"),
        ({"q": "x", "since": "2026-12-01T00:00:00"}, "since"),
        ({"q": "x", "k": "0"}, "k"),
    ]
    for params, field in bad:
        body = staff_client.get(SEARCH, params).json()
        assert body["error_code"] == "validation_error", params
        assert [error["field"] for error in body["details"]["errors"]] == [field], params


@pytest.mark.usefixtures("talk")
def test_staff_and_keys_with_messages_read_search_and_no_one_else(people: People) -> None:
    assert key_client(Scope.MESSAGES_READ).get(SEARCH, {"q": "parcel"}).status_code == 200
    assert key_client(Scope.CUSTOMERS_READ).get(SEARCH, {"q": "parcel"}).status_code == 403
    assert jwt_client(people.ada.user).get(SEARCH, {"q": "parcel"}).status_code == 403
    assert APIClient().get(SEARCH, {"q": "parcel"}).status_code == 401


@pytest.mark.usefixtures("graph")
def test_a_vector_store_that_is_down_is_a_503_and_messages_are_still_stored(
    staff_client: APIClient, people: People, settings: Any
) -> None:
    close_vector_store()
    settings.MILVUS_URI, settings.MILVUS_TIMEOUT = f"http://127.0.0.1:{free_port()}", 1.0
    try:
        response = staff_client.get(SEARCH, {"q": "parcel"})
        stored = staff_client.post(
            "/api/v1/customers/ada-1/messages",
            {"messages": [{"id": "m-1", "text": "Hello", "sent_at": "2026-11-30T09:00:00Z"}]},
            format="json",
        )
        health = staff_client.get("/api/v1/health")
    finally:
        close_vector_store()

    assert response.status_code == 503
    body = response.json()
    assert body["error_code"] == "search_unavailable"
    assert set(body) == {"error_code", "message", "details", "timestamp", "request_id"}
    assert stored.status_code == 201
    assert health.status_code == 200
    assert (health.json()["status"], health.json()["down"]) == ("degraded", ["vectors"])


def test_customers_talking_about_something_are_those_with_a_message_near_it(
    talk: dict[str, Message], people: People
) -> None:
    late = "my delivery has not come"  # Ada's parcel on Monday; Bob's words stand out less

    assert customers_talking_about(late, z=3.0) == {people.ada.pk}
    assert customers_talking_about(late, z=3.0, since=MONDAY + timedelta(1)) == set()
    assert customers_talking_about("red candles", z=3.0) == {people.bob.pk}
    assert customers_talking_about(late, z=100.0) == set()
