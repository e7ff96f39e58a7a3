from __future__ import annotations

from copy import deepcopy
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from model_bakery import baker
from rest_framework.test import APIClient

from catalog.models import Product
from catalog.services import category_tree_sync, products_create_missing
from catalog.taxonomy import categorize
from customers.models import Customer, CustomerInterest, InteractionEvent, Purchase, PurchaseKind
from customers.services.activity import _queue_recomputes
from customers.services.interests import interest_taxonomy_sync_from_catalog
from graph.models import GraphChange, GraphEntity
from graph.services.sync import drain_after_commit
from recommendations.cache import recommendations_invalidate

pytestmark = pytest.mark.django_db

BATCH: dict[str, Any] = {
    "customer": {
        "email": "ada@example.com",
        "name": "Ada",
        "country": "United Kingdom",
        "marketing_consent": True,
    },
    "purchases": [
        {
            "invoice": "W1001",
            "line": 1,
            "sku": "85123A",
            "quantity": 6,
            "unit_price": "2.55",
            "purchased_at": "2011-12-01T08:26:00+00:00",
        },
        {
            "invoice": "W1001",
            "line": 2,
            "sku": "22086",
            "quantity": 2,
            "unit_price": 2.95,
            "purchased_at": "2011-12-01T08:26:00Z",
        },
        {
            "id": "ret-77",
            "kind": "return",
            "sku": "22086",
            "quantity": 1,
            "unit_price": "2.95",
            "purchased_at": "2011-12-03T10:00:00+01:00",
        },
    ],
    "interests": [{"interest": "seasonal/christmas", "confidence": 0.9}],
    "events": [
        {"kind": "view", "sku": "85123A", "occurred_at": "2011-12-01T08:00:00Z"},
        {"id": "ev-2", "kind": "cart_add", "sku": "22086", "occurred_at": "2011-12-01T08:10:00Z"},
    ],
}


@pytest.fixture(autouse=True)
def catalog() -> None:
    categories = category_tree_sync()
    interest_taxonomy_sync_from_catalog()
    products_create_missing(
        [
            Product(sku=sku, name=name, category_id=categories[categorize(name)])
            for sku, name in (
                ("85123A", "WHITE HANGING HEART T-LIGHT HOLDER"),
                ("22086", "PAPER CHAIN KIT 50'S CHRISTMAS"),
            )
        ]
    )


def _url(external_id: str = "C-1") -> str:
    return reverse("customer-data-ingest", kwargs={"external_id": external_id})


def _stored() -> tuple[int, int, int, int]:
    return (
        Customer.objects.count(),
        Purchase.objects.count(),
        InteractionEvent.objects.count(),
        CustomerInterest.objects.count(),
    )


def test_a_batch_is_stored_and_a_resend_stores_nothing_new(
    staff_client: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as recomputes:
        first = staff_client.post(_url(), BATCH, format="json")

    assert first.status_code == 201, first.json()
    assert first.json() == {
        "external_id": "C-1",
        "customer_created": True,
        "customer_updated": False,
        "purchases": {"created": 3, "duplicate": 0},
        "interests": {"created": 1, "duplicate": 0},
        "events": {"created": 2, "duplicate": 0},
    }
    ret = Purchase.objects.get(external_id="ret-77")
    assert (ret.kind, ret.quantity, str(ret.amount)) == (PurchaseKind.RETURN, -1, "-2.950")
    assert Purchase.objects.get(external_id="W1001#1").customer.email == "ada@example.com"

    # after commit: the interests recomputed and cached recommendations dropped (and the graph
    # drained, scheduled once per transaction: here, by the fixtures' writes before)
    called = {getattr(task, "__wrapped__", task) for task in recomputes} - {drain_after_commit}
    assert called == {recommendations_invalidate, _queue_recomputes}
    assert Customer.objects.get().interests_stale_at is not None

    with django_capture_on_commit_callbacks() as recomputes:
        second = staff_client.post(_url(), BATCH, format="json")

    assert not recomputes
    assert second.status_code == 200
    assert second.json()["purchases"] == {"created": 0, "duplicate": 3}
    assert second.json()["events"] == {"created": 0, "duplicate": 2}
    assert second.json()["interests"] == {"created": 0, "duplicate": 1}
    assert _stored() == (1, 3, 2, 1)


def test_a_purchase_event_is_followed_as_a_sale_is(
    staff_client: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    assert staff_client.post(_url(), {"customer": {"name": "Ada"}}, format="json").status_code == 201
    customer = Customer.objects.get()
    GraphChange.objects.all().delete()
    batch = {"events": [{"kind": "purchase", "sku": "22086", "occurred_at": "2011-12-01T08:26:00Z",
                         "metadata": {"quantity": 2}}]}  # fmt: skip

    with django_capture_on_commit_callbacks() as callbacks:
        assert staff_client.post(_url(), batch, format="json").status_code == 201

    # the customer's interests are stale and recomputed, its cached recommendations dropped and
    # its graph node (with its PURCHASED edges) rewritten after commit
    called = {getattr(task, "__wrapped__", task) for task in callbacks} - {drain_after_commit}
    assert called == {recommendations_invalidate, _queue_recomputes}
    customer.refresh_from_db()
    assert customer.interests_stale_at is not None
    assert list(GraphChange.objects.values_list("entity", "entity_id")) == [
        (GraphEntity.CUSTOMER, customer.pk)
    ]


def _errors(response: Any) -> dict[str, str]:
    body = response.json()
    assert set(body) == {"error_code", "message", "details", "timestamp", "request_id"}
    assert body["error_code"] == "validation_error"
    return {error["field"]: error["code"] for error in body["details"]["errors"]}


def test_an_invalid_item_rejects_the_whole_batch_with_per_item_errors(staff_client: APIClient) -> None:
    batch = deepcopy(BATCH)
    batch["purchases"][1]["quantity"] = 0
    batch["events"][0]["kind"] = "hover"

    response = staff_client.post(_url(), batch, format="json", HTTP_X_REQUEST_ID="req-123")

    assert response.status_code == 400
    assert _errors(response) == {"purchases.1.quantity": "min_value", "events.0.kind": "invalid_choice"}
    assert response.json()["request_id"] == response["X-Request-ID"] == "req-123"
    assert _stored() == (0, 0, 0, 0)


def test_unknown_references_store_nothing(staff_client: APIClient) -> None:
    batch = deepcopy(BATCH)
    batch["purchases"][2]["sku"] = "NOPE"
    batch["interests"][0]["interest"] = "seasonal/diwali"

    response = staff_client.post(_url(), batch, format="json")

    assert response.status_code == 400
    assert _errors(response) == {
        "purchases.2.sku": "unknown_product",
        "interests.0.interest": "unknown_interest",
    }
    assert _stored() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("purchases", 0, "quantity"), "6", "purchases.0.quantity"),
        (("purchases", 0, "quantity"), 6.5, "purchases.0.quantity"),
        (("purchases", 0, "sku"), 85123, "purchases.0.sku"),
        (("purchases", 0, "unit_price"), True, "purchases.0.unit_price"),
        (("purchases", 0, "purchased_at"), "2011-12-01 08:26", "purchases.0.purchased_at"),
        (("purchases", 0, "purchased_at"), "2011-12-01T08:60:00Z", "purchases.0.purchased_at"),
        (("customer", "marketing_consent"), "yes", "customer.marketing_consent"),
        (("interests", 0, "confidence"), "0.9", "interests.0.confidence"),
        (("interests", 0, "confidence"), 1.5, "interests.0.confidence"),
        (("purchases",), {"not": "a list"}, "purchases"),
    ],
)
def test_wrong_types_are_refused(
    staff_client: APIClient, path: tuple[Any, ...], value: Any, field: str
) -> None:
    batch = deepcopy(BATCH)
    target: Any = batch
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value

    response = staff_client.post(_url(), batch, format="json")

    assert response.status_code == 400
    assert field in _errors(response)
    assert _stored() == (0, 0, 0, 0)


def test_unknown_fields_are_refused_at_every_level(staff_client: APIClient) -> None:
    batch = deepcopy(BATCH)
    batch["extra"] = 1
    batch["customer"]["is_staff"] = True
    batch["purchases"][0]["amount"] = "999"

    response = staff_client.post(_url(), batch, format="json")

    assert response.status_code == 400
    assert _errors(response) == {
        "extra": "unknown_field",
        "customer.is_staff": "unknown_field",
        "purchases.0.amount": "unknown_field",
    }
    assert _stored() == (0, 0, 0, 0)


def test_a_purchase_needs_an_idempotency_key(staff_client: APIClient) -> None:
    batch = deepcopy(BATCH)
    del batch["purchases"][0]["line"]

    response = staff_client.post(_url(), batch, format="json")

    assert response.status_code == 400
    assert _errors(response) == {"purchases.0": "missing_key"}


def test_purchase_inferred_interests_cannot_be_sent(staff_client: APIClient) -> None:
    batch = deepcopy(BATCH)
    batch["interests"][0]["source"] = "purchases"

    response = staff_client.post(_url(), batch, format="json")

    assert _errors(response) == {"interests.0.source": "invalid_choice"}


def test_an_email_of_another_customer_is_refused(staff_client: APIClient) -> None:
    baker.make(Customer, external_id="other", email="ADA@example.com")

    response = staff_client.post(_url(), BATCH, format="json")

    assert _errors(response) == {"customer.email": "unique"}
    assert Purchase.objects.count() == 0


def test_malformed_json_answers_in_the_envelope(staff_client: APIClient) -> None:
    response = staff_client.post(_url(), "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error_code"] == "parse_error"


@pytest.mark.parametrize("user", ["anonymous", "non-staff"])
def test_ingest_is_never_open(user: str) -> None:
    client = APIClient()
    if user == "non-staff":
        client.force_authenticate(get_user_model().objects.create_user("shopper"))

    response = client.post(_url(), BATCH, format="json")

    assert response.status_code in (401, 403)
    assert response.json()["error_code"] in ("not_authenticated", "permission_denied")
    assert _stored() == (0, 0, 0, 0)


def test_a_key_reused_for_another_record_is_refused_with_nothing_stored(staff_client: APIClient) -> None:
    first = {"purchases": [BATCH["purchases"][2]]}
    assert staff_client.post(_url("C-1"), first, format="json").status_code == 201
    reused = deepcopy(first)
    reused["purchases"][0]["quantity"] = 5

    response = staff_client.post(_url("C-2"), reused, format="json")

    assert response.status_code == 409
    assert response.json()["error_code"] == "key_reused"
    assert [e["field"] for e in response.json()["details"]["errors"]] == ["purchases.0"]
    assert not Customer.objects.filter(external_id="C-2").exists()
    assert Purchase.objects.get().quantity == -1


def test_a_key_repeated_with_other_values_in_one_batch_is_refused(staff_client: APIClient) -> None:
    batch = {"events": [BATCH["events"][1], {**BATCH["events"][1], "kind": "click"}]}

    response = staff_client.post(_url(), batch, format="json")

    assert response.status_code == 409
    assert [e["field"] for e in response.json()["details"]["errors"]] == ["events.0", "events.1"]
    assert _stored() == (0, 0, 0, 0)


def test_client_ids_and_invoice_lines_are_separate_keys(staff_client: APIClient) -> None:
    line = {"sku": "85123A", "quantity": 1, "unit_price": "2.55", "purchased_at": "2011-12-01T08:26:00Z"}
    batch = {"purchases": [{**line, "id": "W1-1"}, {**line, "invoice": "W1", "line": 1}]}

    response = staff_client.post(_url(), batch, format="json")

    assert response.json()["purchases"] == {"created": 2, "duplicate": 0}


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("purchases", 0, "quantity"), 3_000_000_000, "purchases.0.quantity"),
        (("purchases", 0, "line"), 10**70, "purchases.0.line"),
        (("purchases", 0, "invoice"), "W" * 65, "purchases.0.invoice"),
        (("customer", "email"), "a" * 250 + "@example.com", "customer.email"),
        (("purchases", 0, "metadata"), {"note": "nul\x00here"}, "purchases.0.metadata"),
        (("customer", "profile"), {"k\x00": 1}, "customer.profile"),
    ],
)
def test_values_beyond_what_the_columns_hold_are_refused(
    staff_client: APIClient, path: tuple[Any, ...], value: Any, field: str
) -> None:
    test_wrong_types_are_refused(staff_client, path, value, field)


def test_an_amount_beyond_its_column_is_refused(staff_client: APIClient) -> None:
    batch = deepcopy(BATCH)
    batch["purchases"][0].update(unit_price="999999.999", quantity=1_000_000)

    response = staff_client.post(_url(), batch, format="json")

    assert _errors(response) == {"purchases.0.quantity": "max_value"}
    assert _stored() == (0, 0, 0, 0)


def test_the_same_interest_twice_in_a_batch_is_refused(staff_client: APIClient) -> None:
    batch = {"interests": [BATCH["interests"][0], {**BATCH["interests"][0], "confidence": 0.2}]}

    response = staff_client.post(_url(), batch, format="json")

    assert _errors(response) == {"interests.1": "duplicate"}


@pytest.mark.parametrize("external_id", ["has space", "x" * 65, "-leading-dash"])
def test_a_malformed_external_id_answers_400(staff_client: APIClient, external_id: str) -> None:
    response = staff_client.post(f"/api/v1/customers/{external_id}/data", BATCH, format="json")

    assert response.status_code == 400
    assert set(_errors(response)) == {"external_id"}
    assert _stored() == (0, 0, 0, 0)


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_path_answers_404_in_the_envelope(
    staff_client: APIClient, settings: Any, debug: bool
) -> None:
    settings.DEBUG = debug

    response = staff_client.get("/api/v1/nope")

    assert response.status_code == 404
    assert response.json()["error_code"] == "not_found"
    assert response.json()["request_id"] == response["X-Request-ID"]


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        (("purchases", 0, "purchased_at"), "0001-01-01T00:00:00Z", "time_too_early"),
        (("purchases", 0, "purchased_at"), "0001-01-01T00:00:00+01:00", "overflow"),
        (("purchases", 0, "purchased_at"), "1989-12-31T23:59:59Z", "time_too_early"),
        (("purchases", 0, "purchased_at"), "9999-12-31T23:59:59Z", "time_in_future"),
        (("purchases", 0, "purchased_at"), "9999-12-31T23:59:59-01:00", "overflow"),
        (("events", 0, "occurred_at"), "5138-11-16T09:46:39Z", "time_in_future"),
        (("purchases", 0, "quantity"), 10**14, "max_value"),
        (("purchases", 0, "quantity"), 1_000_001, "max_value"),
        (("purchases", 0, "unit_price"), "1000000.001", "max_value"),
    ],
)
def test_times_and_amounts_outside_sane_ranges_are_refused_with_the_reason(
    staff_client: APIClient, path: tuple[Any, ...], value: Any, code: str
) -> None:
    batch = deepcopy(BATCH)
    section, index, name = path
    batch[section][index][name] = value

    response = staff_client.post(_url(), batch, format="json")

    assert response.status_code == 400
    assert _errors(response) == {".".join(map(str, path)): code}
    assert _stored() == (0, 0, 0, 0)
