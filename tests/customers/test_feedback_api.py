"""POST/GET /customers/{id}/feedback and DELETE /customers/{id}/feedback/{sku}: idempotent,
effective at once (the answer and its ETag change), another customer's a 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from customers.models import Customer, ProductFeedback
from marketing_platform.api.scopes import Scope
from tests.factories import Store
from tests.support import PASSWORD, jwt_client, key_client

ENVELOPE = {"error_code", "message", "details", "timestamp", "request_id"}


@pytest.fixture
def own(store: Store) -> APIClient:
    """The store's most active customer, signed in with its own login."""
    user = get_user_model().objects.create_user("own", password=PASSWORD)
    Customer.objects.filter(pk=store.customer.pk).update(user=user)
    return jwt_client(user)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _url(customer: Customer, sku: str = "") -> str:
    return f"/api/v1/customers/{customer.external_id}/feedback" + (f"/{sku}" if sku else "")


def _recommendations(client: APIClient, customer: Customer, etag: str = "") -> Any:
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(f"/api/v1/customers/{customer.external_id}/recommendations", headers=headers)


def test_feedback_is_stored_once_and_replaced_by_the_opposite_kind(
    store: Store, own: APIClient, on_commit: Any
) -> None:
    customer = store.customer
    sku = _recommendations(own, customer).json()["items"][0]["sku"]

    with on_commit():
        first = own.post(_url(customer), {"sku": sku, "kind": "more_like_this"}, format="json")
        again = own.post(_url(customer), {"sku": sku, "kind": "more_like_this"}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert ProductFeedback.objects.filter(customer=customer).count() == 1

    with on_commit():
        opposite = own.post(_url(customer), {"sku": sku, "kind": "not_for_me"}, format="json")
    assert opposite.status_code == 201
    assert opposite.json()["sku"] == sku
    assert list(ProductFeedback.objects.filter(customer=customer).values_list("kind", flat=True)) == [
        "not_for_me"
    ]
    listed = own.get(_url(customer)).json()
    assert [(row["sku"], row["kind"]) for row in listed["feedback"]] == [(sku, "not_for_me")]

    with on_commit():
        taken_back = own.delete(_url(customer, sku))
        retried = own.delete(_url(customer, sku))
    assert (taken_back.status_code, retried.status_code) == (204, 204)
    assert own.get(_url(customer)).json()["feedback"] == []


def test_not_for_me_leaves_the_served_list_at_once_and_changes_its_etag(
    store: Store, own: APIClient, on_commit: Any
) -> None:
    customer = store.customer
    first = _recommendations(own, customer)
    sku = first.json()["items"][0]["sku"]

    with on_commit():
        own.post(_url(customer), {"sku": sku, "kind": "not_for_me"}, format="json")
    after = _recommendations(own, customer, first["ETag"])

    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]
    assert sku not in {item["sku"] for item in after.json()["items"]}

    with on_commit():
        own.delete(_url(customer, sku))
    assert sku in {item["sku"] for item in _recommendations(own, customer).json()["items"]}


def test_an_unknown_sku_is_a_validation_error_naming_the_field(store: Store, own: APIClient) -> None:
    response = own.post(_url(store.customer), {"sku": "NO-SUCH-SKU", "kind": "not_for_me"}, format="json")
    body = response.json()

    assert response.status_code == 400
    assert set(body) == ENVELOPE
    assert [(e["field"], e["code"]) for e in body["details"]["errors"]] == [("sku", "unknown_product")]
    bad_kind = own.post(_url(store.customer), {"sku": "85123A", "kind": "meh"}, format="json").json()
    assert [e["field"] for e in bad_kind["details"]["errors"]] == ["kind"]
    assert own.delete(_url(store.customer, "NO-SUCH-SKU")).status_code == 404


def test_another_customers_feedback_is_not_found(store: Store, own: APIClient) -> None:
    other = Customer.objects.exclude(pk=store.customer.pk).first()
    assert other is not None

    responses = [
        own.get(_url(other)),
        own.post(_url(other), {"sku": "85123A", "kind": "not_for_me"}, format="json"),
        own.delete(_url(other, "85123A")),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert not ProductFeedback.objects.exists()


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [
        ((Scope.CUSTOMERS_READ,), (200, 403, 403)),
        ((Scope.FEEDBACK_WRITE,), (403, 201, 204)),
        ((Scope.CUSTOMERS_READ, Scope.FEEDBACK_WRITE), (200, 201, 204)),
    ],
)
def test_a_service_needs_feedback_write_to_give_or_take_back(
    store: Store, scopes: tuple[str, ...], expected: tuple[int, ...]
) -> None:
    service = key_client(*scopes)
    customer = store.customer

    got = (
        service.get(_url(customer)).status_code,
        service.post(_url(customer), {"sku": "85123A", "kind": "more_like_this"}, format="json").status_code,
        service.delete(_url(customer, "85123A")).status_code,
    )

    assert got == expected
