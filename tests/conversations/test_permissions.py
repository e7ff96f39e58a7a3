"""Messages are personal data: who may send, read and delete them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from conversations.models import Message
from conversations.services.recording import MessageRow, messages_record
from marketing_platform.api.scopes import Scope
from tests.conversations.conftest import People
from tests.support import PASSWORD, jwt_client, key_client

SENT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ROLES = ("staff", "messages-service", "customers-service", "own-login", "other-login", "no-role", "anonymous")
BATCH = {"messages": [{"id": "new", "text": "Hello", "sent_at": "2026-11-30T09:00:00Z"}]}
# (method, path, body) → expected status per role, in ROLES order.
MATRIX: list[tuple[str, str, dict[str, Any] | None, tuple[int, ...]]] = [
    ("get", "/api/v1/customers/ada-1/messages", None, (200, 200, 403, 200, 404, 403, 401)),
    ("get", "/api/v1/customers/bob-2/messages", None, (200, 200, 403, 404, 200, 403, 401)),
    ("get", "/api/v1/customers/nobody/messages", None, (404, 404, 403, 404, 404, 403, 401)),
    ("post", "/api/v1/customers/ada-1/messages", BATCH, (201, 201, 403, 403, 403, 403, 401)),
    ("delete", "/api/v1/messages/{ada_message}", None, (204, 204, 403, 403, 403, 403, 401)),
]


def clients(people: People) -> dict[str, APIClient]:
    users = get_user_model().objects
    bob_login = users.create_user("bob", password=PASSWORD)
    people.bob.user = bob_login
    people.bob.save()
    return {
        "staff": jwt_client(users.create_user("staff", password=PASSWORD, is_staff=True)),
        "messages-service": key_client(Scope.MESSAGES_READ, Scope.INGEST, Scope.MESSAGES_DELETE),
        "customers-service": key_client(Scope.CUSTOMERS_READ, Scope.CUSTOMERS_WRITE),
        "own-login": jwt_client(people.ada.user),
        "other-login": jwt_client(bob_login),
        "no-role": jwt_client(users.create_user("nobody", password=PASSWORD)),
        "anonymous": APIClient(),
    }


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
def test_role_matrix(
    people: People, method: str, path: str, body: dict[str, Any] | None, expected: tuple[int, ...]
) -> None:
    callers = clients(people)
    got = {}
    for role in ROLES:
        Message.objects.all().delete()
        written = messages_record([
            MessageRow(customer.pk, "api", f"m-{customer.pk}", "Hi", "chat", SENT, None, "")
            for customer in (people.ada, people.bob)
        ])  # fmt: skip
        assert written.created == 2
        url = path.format(ada_message=Message.objects.get(customer=people.ada).pk)
        response = getattr(callers[role], method)(url, body, format="json")
        got[role] = response.status_code
        if response.status_code >= 400:
            assert set(response.json()) == {"error_code", "message", "details", "timestamp", "request_id"}
    assert got == dict(zip(ROLES, expected, strict=True))


def test_a_login_reads_only_its_own_customers_messages(people: People) -> None:
    callers = clients(people)
    messages_record([
        MessageRow(customer.pk, "api", f"m-{customer.pk}", f"From {customer.external_id}", "chat", SENT,
                   None, "")
        for customer in (people.ada, people.bob)
    ])  # fmt: skip

    own = callers["own-login"].get("/api/v1/customers/ada-1/messages").json()["results"]

    assert [item["text"] for item in own] == ["From ada-1"]
