"""POST, GET /api/v1/customers/{id}/messages and DELETE /api/v1/messages/{id}."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from rest_framework.test import APIClient

from conversations.models import Message
from tests.conversations.conftest import People

URL = "/api/v1/customers/ada-1/messages"


def message(message_id: str, text: str = "Where is my order?", **fields: Any) -> dict[str, Any]:
    return {"id": message_id, "text": text, "channel": "chat", "sent_at": "2026-11-30T09:00:00Z"} | fields


def test_a_resent_batch_stores_nothing_new_and_a_changed_text_updates_one_message(
    staff_client: APIClient, people: People
) -> None:
    batch = {"messages": [message("m1"), message("m2", "Do you ship to Norway?")]}

    first = staff_client.post(URL, batch, format="json")
    again = staff_client.post(URL, batch, format="json")
    batch["messages"][0]["text"] = "Where is my parcel?"
    edited = staff_client.post(URL, batch, format="json")

    assert (first.status_code, again.status_code, edited.status_code) == (201, 200, 200)
    assert first.json() == {
        "external_id": "ada-1",
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": [],
    }
    assert again.json()["unchanged"] == 2
    assert (edited.json()["updated"], edited.json()["unchanged"]) == (1, 1)
    assert sorted(Message.objects.values_list("message_id", "text")) == [
        ("m1", "Where is my parcel?"), ("m2", "Do you ship to Norway?")
    ]  # fmt: skip


def test_bad_messages_are_rejected_with_reasons_and_the_good_ones_stored(
    staff_client: APIClient, people: People
) -> None:
    batch = {
        "source": "shop-chat",
        "messages": [
            message("good", language="EN-gb"),
            message("future", sent_at="2999-01-01T00:00:00Z"),
            message("blank", text="   "),
            message("lang", language="klingon-xx"),
            message("camp", campaign=999_999),
            message("extra", mood="angry"),
            "not an object",
        ],
    }

    response = staff_client.post(URL, batch, format="json")

    assert response.status_code == 201
    assert [(problem["field"], problem["code"]) for problem in response.json()["rejected"]] == [
        ("messages.1.sent_at", "time_in_future"),
        ("messages.2.text", "blank"),
        ("messages.3.language", "invalid_language"),
        ("messages.4.campaign", "unknown_campaign"),
        ("messages.5.mood", "unknown_field"),
        ("messages.6", "invalid"),
    ]
    stored = Message.objects.get()
    assert (stored.source, stored.message_id, stored.language) == ("shop-chat", "good", "en-GB")


def test_a_batch_with_no_good_message_is_refused_in_the_envelope(
    staff_client: APIClient, people: People, settings: Any
) -> None:
    over = [message(str(i)) for i in range(settings.INGEST_MAX_ITEMS + 1)]

    nothing_good = staff_client.post(URL, {"messages": [message("x", text="")]}, format="json")
    too_many = staff_client.post(URL, {"messages": over}, format="json")
    none = staff_client.post(URL, {"messages": []}, format="json")

    assert (nothing_good.status_code, too_many.status_code, none.status_code) == (400, 400, 400)
    assert nothing_good.json()["error_code"] == "validation_error"
    assert nothing_good.json()["details"]["errors"][0]["field"] == "messages.0.text"
    assert too_many.json()["details"]["errors"][0]["field"] == "messages"
    assert not Message.objects.exists()


def test_another_customers_message_id_is_rejected(staff_client: APIClient, people: People) -> None:
    staff_client.post("/api/v1/customers/bob-2/messages", {"messages": [message("m1")]}, format="json")

    response = staff_client.post(URL, {"messages": [message("m1"), message("m2")]}, format="json")

    assert response.json()["rejected"] == [
        {
            "field": "messages.0.id",
            "code": "key_reused",
            "message": "The id 'm1' names another customer's message.",
        }
    ]
    assert Message.objects.get(message_id="m1").customer == people.bob


def test_messages_are_listed_newest_first_a_page_at_a_time(staff_client: APIClient, people: People) -> None:
    times = ["2026-11-01T10:00:00Z", "2026-11-03T10:00:00Z", "2026-11-02T10:00:00Z"]
    batch = {"messages": [message(f"m{i}", sent_at=moment) for i, moment in enumerate(times)]}
    staff_client.post(URL, batch, format="json")

    first = staff_client.get(URL, {"page_size": 2}).json()
    second = staff_client.get(first["next"]).json()

    assert [item["message_id"] for item in first["results"]] == ["m1", "m2"]
    assert [item["message_id"] for item in second["results"]] == ["m0"]
    assert first["results"][0]["customer"] == "ada-1"


def test_a_message_is_deleted_once(staff_client: APIClient, people: People) -> None:
    staff_client.post(URL, {"messages": [message("m1")]}, format="json")
    pk = Message.objects.get().pk

    deleted = staff_client.delete(f"/api/v1/messages/{pk}")
    again = staff_client.delete(f"/api/v1/messages/{pk}")

    assert (deleted.status_code, again.status_code) == (204, 404)
    assert again.json()["error_code"] == "not_found"
    assert not Message.objects.exists()


def test_the_documented_example_is_accepted_as_it_stands(staff_client: APIClient, people: People) -> None:
    schema = json.loads(Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    operation = schema["paths"]["/api/v1/customers/{external_id}/messages"]["post"]

    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    responses = [staff_client.post(URL, example["value"], format="json") for example in examples.values()]

    assert operation["tags"] == ["messages"]
    batch = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rpartition("/")[2]
    items = schema["components"]["schemas"][batch]["properties"]["messages"]["items"]
    assert items["$ref"].rpartition("/")[2].startswith("MessageInput")
    assert [(response.status_code, response.json()["rejected"]) for response in responses] == [(201, [])]
