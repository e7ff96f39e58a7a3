"""Who may call what: every role against every endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import World

ROLES = ("staff", "service", "catalog-service", "customer", "no-role", "anonymous")
INGEST = {"purchases": [{"id": "new-1", "sku": "85123A", "quantity": 1, "unit_price": "2.55",
                         "purchased_at": "2011-12-02T10:00:00Z"}]}  # fmt: skip
PRODUCT = {"sku": "NEW-1", "name": "NEW LANTERN", "price": "4.50"}
FEEDBACK = {"sku": "85123A", "kind": "not_for_me"}

# (method, path, body) → expected status per role, in ROLES order.
MATRIX: list[tuple[str, str, dict[str, Any] | None, tuple[int, ...]]] = [
    ("get", "/api/v1/customers", None, (200, 200, 403, 403, 403, 401)),
    ("get", "/api/v1/customers/{ada}", None, (200, 200, 403, 200, 403, 401)),
    ("get", "/api/v1/customers/{bob}", None, (200, 200, 403, 404, 403, 401)),
    ("patch", "/api/v1/customers/{ada}", {"name": "Ada L."}, (200, 403, 403, 200, 403, 401)),
    ("patch", "/api/v1/customers/{bob}", {"name": "Bob B."}, (200, 403, 403, 404, 403, 401)),
    ("post", "/api/v1/customers/{ada}/data", INGEST, (201, 200, 403, 403, 403, 401)),
    ("get", "/api/v1/purchases", None, (200, 200, 403, 200, 403, 401)),
    ("get", "/api/v1/purchases/{bob_purchase}", None, (200, 200, 403, 404, 403, 401)),
    ("get", "/api/v1/purchases/{ada_purchase}", None, (200, 200, 403, 200, 403, 401)),
    ("get", "/api/v1/interests", None, (200, 200, 403, 200, 403, 401)),
    ("get", "/api/v1/interests/{bob_interest}", None, (200, 200, 403, 404, 403, 401)),
    ("get", "/api/v1/interest-topics", None, (200, 200, 403, 200, 403, 401)),
    ("get", "/api/v1/products", None, (200, 200, 200, 200, 403, 401)),
    ("get", "/api/v1/products/85123A", None, (200, 200, 200, 200, 403, 401)),
    ("post", "/api/v1/products", PRODUCT, (201, 403, 409, 403, 403, 401)),
    ("patch", "/api/v1/products/85123A", {"active": False}, (200, 403, 200, 403, 403, 401)),
    ("get", "/api/v1/categories", None, (200, 200, 200, 200, 403, 401)),
    ("get", "/api/v1/categories/christmas", None, (200, 200, 200, 200, 403, 401)),
    ("get", "/api/v1/customers/{ada}/graph", None, (200, 200, 403, 200, 403, 401)),
    ("get", "/api/v1/customers/{bob}/graph", None, (200, 200, 403, 404, 403, 401)),
    ("get", "/api/v1/customers/{ada}/similar", None, (200, 200, 403, 403, 403, 401)),
    ("get", "/api/v1/products/85123A/complements", None, (200, 200, 200, 200, 403, 401)),
    ("get", "/api/v1/customers/{ada}/recommendations", None, (200, 200, 403, 200, 403, 401)),
    ("get", "/api/v1/customers/{bob}/recommendations", None, (200, 200, 403, 404, 403, 401)),
    ("post", "/api/v1/customers/{ada}/email", {}, (200, 200, 403, 200, 403, 401)),
    ("post", "/api/v1/customers/{bob}/email", {}, (200, 200, 403, 404, 403, 401)),
    ("post", "/api/v1/customers/{ada}/email", {"template": 999_999}, (404, 404, 403, 404, 403, 401)),
    ("get", "/api/v1/customers/{ada}/vision-board", None, (202, 202, 403, 202, 403, 401)),
    ("get", "/api/v1/customers/{bob}/vision-board", None, (202, 202, 403, 404, 403, 401)),
    ("post", "/api/v1/customers/{ada}/vision-board", None, (202, 403, 403, 403, 403, 401)),
    ("get", "/api/v1/customers/{ada}/feedback", None, (200, 200, 403, 200, 403, 401)),
    ("get", "/api/v1/customers/{bob}/feedback", None, (200, 200, 403, 404, 403, 401)),
    ("post", "/api/v1/customers/{ada}/feedback", FEEDBACK, (201, 403, 403, 200, 403, 401)),
    ("post", "/api/v1/customers/{bob}/feedback", FEEDBACK, (201, 403, 403, 404, 403, 401)),
    ("delete", "/api/v1/customers/{ada}/feedback/85123A", None, (204, 403, 403, 204, 403, 401)),
    ("delete", "/api/v1/customers/{bob}/feedback/85123A", None, (204, 403, 403, 404, 403, 401)),
    ("get", "/api/v1/customers/{ada}/interests/declared", None, (200, 200, 403, 200, 403, 401)),
    ("get", "/api/v1/customers/{bob}/interests/declared", None, (200, 200, 403, 404, 403, 401)),
    ("put", "/api/v1/customers/{ada}/interests/declared", {"interests": []}, (200, 403, 403, 200, 403, 401)),
    ("put", "/api/v1/customers/{bob}/interests/declared", {"interests": []}, (200, 403, 403, 404, 403, 401)),
    ("get", "/api/v1/customers/{ada}/export", None, (200, 403, 403, 200, 403, 401)),
    ("get", "/api/v1/customers/{bob}/export", None, (200, 403, 403, 404, 403, 401)),
    ("get", "/api/v1/auth/me", None, (200, 403, 403, 200, 403, 401)),
    ("get", "/api/v1/campaigns", None, (200, 403, 403, 403, 403, 401)),
    (
        "get",
        "/api/v1/analytics/activity?since=2011-12-01&until=2011-12-31",
        None,
        (200, 403, 403, 403, 403, 401),
    ),
    ("get", "/api/v1/analytics/campaigns/999999/performance", None, (404, 403, 403, 403, 403, 401)),
    (
        "get",
        "/api/v1/analytics/strategies?since=2011-12-01&until=2011-12-31",
        None,
        (200, 403, 403, 403, 403, 401),
    ),
    ("get", "/api/v1/analytics/rfm", None, (200, 403, 403, 403, 403, 401)),
    ("get", "/api/v1/analytics/rfm?segment=Champions", None, (200, 403, 403, 403, 403, 401)),
    ("get", "/api/v1/analytics/cohorts", None, (200, 403, 403, 403, 403, 401)),
    ("get", "/api/v1/metrics", None, (200, 403, 403, 403, 403, 401)),
    ("get", "/api/v1/health", None, (200, 200, 200, 200, 200, 200)),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
def test_role_matrix(
    world: World, method: str, path: str, body: dict[str, Any] | None, expected: tuple[int, ...]
) -> None:
    url = path.format(
        ada=world.ada.external_id,
        bob=world.bob.external_id,
        ada_purchase=world.purchase_of(world.ada),
        bob_purchase=world.purchase_of(world.bob),
        bob_interest=world.interest_of(world.bob),
    )
    got = {}
    for role in ROLES:
        response = getattr(world.clients[role], method)(url, body, format="json")
        got[role] = response.status_code
        if response.status_code >= 400:
            assert set(response.json()) == {"error_code", "message", "details", "timestamp", "request_id"}
    assert got == dict(zip(ROLES, expected, strict=True))


def test_a_customer_lists_only_its_own_data(world: World) -> None:
    client = world.clients["customer"]

    purchases = client.get("/api/v1/purchases").json()["results"]
    interests = client.get("/api/v1/interests").json()["results"]
    filtered = client.get("/api/v1/purchases", {"customer": world.bob.external_id}).json()["results"]

    assert {row["customer"] for row in purchases} == {world.ada.external_id}
    assert {row["customer"] for row in interests} == {world.ada.external_id}
    assert filtered == []
