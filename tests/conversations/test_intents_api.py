"""Intents through the API: defined with their examples by staff and keys with intents:write, read
with intents:read; a message's intent corrected; every refusal in the envelope."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from conversations.models import Intent, IntentBy, IntentExample, Message
from conversations.services.intents import intent_create
from conversations.services.recording import MessageRow, messages_record
from marketing_platform.api.scopes import Scope
from tests.conversations.conftest import People, trainings_asked
from tests.support import PASSWORD, jwt_client, key_client

ENVELOPE = {"error_code", "message", "details", "timestamp", "request_id"}
ROLES = ("staff", "intents-writer", "intents-reader", "messages-service", "own-login", "anonymous")
NEW = {"name": "Gift wrap", "examples": ["Can you gift wrap it?", "Do you do gift boxes?"]}
# (method, path, body) → expected status per role, in ROLES order.
MATRIX: list[tuple[str, str, dict[str, Any] | None, tuple[int, ...]]] = [
    ("get", "/api/v1/intents", None, (200, 200, 200, 403, 403, 401)),
    ("get", "/api/v1/intents/delivery", None, (200, 200, 200, 403, 403, 401)),
    ("post", "/api/v1/intents", NEW, (201, 201, 403, 403, 403, 401)),
    ("patch", "/api/v1/intents/delivery", {"active": False}, (200, 200, 403, 403, 403, 401)),
    ("delete", "/api/v1/intents/delivery", None, (204, 204, 403, 403, 403, 401)),
    ("post", "/api/v1/messages/{message}/intent", {"intent": "delivery"}, (200, 200, 403, 403, 403, 401)),
]


def delivery_and_a_message(people: People) -> Message:
    Intent.objects.all().delete()
    intent_create(name="Delivery", slug="delivery", examples=["When will it arrive?", "Do you ship abroad?"])
    Message.objects.all().delete()
    messages_record(
        [MessageRow(people.ada.pk, "api", "m-1", "Hi", "chat", datetime(2026, 11, 30, tzinfo=UTC), None, "")]
    )
    return Message.objects.get()


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
def test_role_matrix(
    people: People, method: str, path: str, body: dict[str, Any] | None, expected: tuple[int, ...]
) -> None:
    users = get_user_model().objects
    callers = {
        "staff": jwt_client(users.create_user("staff", password=PASSWORD, is_staff=True)),
        "intents-writer": key_client(Scope.INTENTS_WRITE, Scope.INTENTS_READ),
        "intents-reader": key_client(Scope.INTENTS_READ),
        "messages-service": key_client(Scope.MESSAGES_READ, Scope.INGEST, Scope.MESSAGES_DELETE),
        "own-login": jwt_client(people.ada.user),
        "anonymous": APIClient(),
    }
    got = {}
    for role in ROLES:
        message = delivery_and_a_message(people)
        response = getattr(callers[role], method)(path.format(message=message.pk), body, format="json")
        got[role] = response.status_code
        if response.status_code >= 400:
            assert set(response.json()) == ENVELOPE
    assert got == dict(zip(ROLES, expected, strict=True))


def test_an_intent_is_defined_read_changed_and_deleted(staff_client: APIClient) -> None:
    created = staff_client.post("/api/v1/intents", NEW, format="json")
    changed = staff_client.patch(
        "/api/v1/intents/gift-wrap",
        {"description": "Presents", "examples": ["Do you do gift boxes?", "Could you wrap it as a present?"]},
        format="json",
    )
    listed = staff_client.get("/api/v1/intents").json()["results"]
    staff_client.post("/api/v1/intents", {"name": "Apology"}, format="json")
    first = staff_client.get("/api/v1/intents?page_size=1").json()["results"]
    deleted = staff_client.delete("/api/v1/intents/gift-wrap")

    assert created.status_code == 201
    assert created.json()["slug"] == "gift-wrap"
    assert created.json()["examples"] == NEW["examples"]
    assert changed.json()["examples"] == ["Do you do gift boxes?", "Could you wrap it as a present?"]
    assert changed.json()["description"] == "Presents"
    assert [(item["slug"], item["messages"]) for item in listed] == [("gift-wrap", 0)]

    assert [item["slug"] for item in first] == ["apology"]  # by slug
    assert deleted.status_code == 204
    assert list(Intent.objects.values_list("slug", flat=True)) == ["apology"]
    assert not IntentExample.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"name": "  "}, "name", "blank"),
        ({"name": "Gifts", "examples": ["Wrap it", " "]}, "examples.1", "blank"),
        ({"name": "Gifts", "examples": ["Wrap it", "Wrap it "]}, "examples.1", "duplicate"),
        ({"name": "Gifts", "slug": "not a slug"}, "slug", "invalid"),
        ({"name": "退货"}, "slug", "required"),
        ({"name": "Gifts", "messages": 3}, "messages", "read_only"),
        ({"name": "Gifts", "colour": "red"}, "colour", "unknown_field"),
        ({"name": "Gifts", "examples": "Wrap it"}, "examples", "not_a_list"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_why(
    staff_client: APIClient, body: dict[str, Any], field: str, code: str
) -> None:
    response = staff_client.post("/api/v1/intents", body, format="json")

    assert response.status_code == 400
    assert response.json()["error_code"] == "validation_error"
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in response.json()["details"]["errors"]
    ]
    assert not Intent.objects.exists()


def test_a_name_or_slug_taken_is_a_conflict(staff_client: APIClient) -> None:
    staff_client.post("/api/v1/intents", NEW, format="json")

    again = staff_client.post("/api/v1/intents", NEW, format="json")
    renamed = staff_client.post("/api/v1/intents", {"name": "Other", "slug": "gift-wrap"}, format="json")

    assert (again.status_code, again.json()["error_code"]) == (409, "intent_taken")
    assert (renamed.status_code, renamed.json()["error_code"]) == (409, "intent_taken")
    assert Intent.objects.count() == 1


def test_a_correction_files_the_message_and_says_who_did(
    people: People, staff_client: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    message = delivery_and_a_message(people)
    url = f"/api/v1/messages/{message.pk}/intent"

    with django_capture_on_commit_callbacks() as training:
        corrected = staff_client.post(url, {"intent": "delivery"}, format="json")
    with django_capture_on_commit_callbacks() as again:
        repeated = staff_client.post(url, {"intent": "delivery"}, format="json")
    cleared = staff_client.post(url, {"intent": None}, format="json")

    assert corrected.json() == {
        "id": message.pk,
        "intent": "delivery",
        "intent_confidence": None,
        "intent_by": "staff",
    }
    assert repeated.json() == corrected.json()
    assert (trainings_asked(training), len(again)) == (1, 0)  # a training asked; nothing new, nothing asked
    assert cleared.json()["intent"] is None
    message.refresh_from_db()
    assert (message.intent, message.intent_by) == (None, IntentBy.STAFF)


@pytest.mark.parametrize(
    ("url", "body", "status", "error_code"),
    [
        ("/api/v1/messages/{message}/intent", {"intent": "nothing-like-it"}, 400, "validation_error"),
        ("/api/v1/messages/{message}/intent", {"intent": "asleep"}, 400, "validation_error"),
        ("/api/v1/messages/{message}/intent", {}, 400, "validation_error"),
        ("/api/v1/messages/999999/intent", {"intent": "delivery"}, 404, "not_found"),
    ],
)
def test_a_correction_to_no_such_or_an_inactive_intent_is_refused(
    people: People, staff_client: APIClient, url: str, body: dict[str, Any], status: int, error_code: str
) -> None:
    message = delivery_and_a_message(people)
    intent_create(name="Asleep", slug="asleep", active=False)

    response = staff_client.post(url.format(message=message.pk), body, format="json")

    assert (response.status_code, response.json()["error_code"]) == (status, error_code)
    message.refresh_from_db()
    assert message.intent_by == IntentBy.NONE


def test_deleting_an_intent_gives_its_messages_back_to_the_classifier(
    people: People, staff_client: APIClient
) -> None:
    message = delivery_and_a_message(people)
    staff_client.post(f"/api/v1/messages/{message.pk}/intent", {"intent": "delivery"}, format="json")

    staff_client.delete("/api/v1/intents/delivery")

    message.refresh_from_db()
    assert (message.intent, message.intent_by) == (None, IntentBy.NONE)


def test_the_schema_documents_intents_with_examples(staff_client: APIClient) -> None:
    schema = staff_client.get("/api/schema/?format=json").json()

    create = schema["paths"]["/api/v1/intents"]["post"]
    correct = schema["paths"]["/api/v1/messages/{id}/intent"]["post"]
    assert create["tags"] == correct["tags"] == ["messages"]
    assert create["requestBody"]["content"]["application/json"]["examples"]
    assert correct["requestBody"]["content"]["application/json"]["examples"]
    assert {"201", "400", "409"} <= set(create["responses"])
