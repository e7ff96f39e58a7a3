"""Hostile batches at the ingest endpoint: never a server error, always the error envelope, and
a retried batch never stores anything twice."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st
from model_bakery import baker
from rest_framework.test import APIClient

from catalog.models import Product
from customers.models import Customer, CustomerInterest, InteractionEvent, Purchase
from tests.fuzz.budget import fuzz_budget
from tests.fuzz.hostile import EXTREME_NUMBERS, JSON_VALUES, ODD_TEXT, ODD_TIMES, maybe, nested

PURCHASE = st.fixed_dictionaries(
    {"sku": maybe("85123A", ODD_TEXT), "quantity": maybe(2, EXTREME_NUMBERS),
     "unit_price": maybe("2.55", EXTREME_NUMBERS), "purchased_at": maybe("2011-12-01T08:26:00Z", ODD_TIMES)},
    optional={"id": maybe("line-1", ODD_TEXT), "invoice": ODD_TEXT, "kind": maybe("return", ODD_TEXT),
              "currency": maybe("EUR", ODD_TEXT), "metadata": JSON_VALUES},
)  # fmt: skip
EVENT = st.fixed_dictionaries(
    {"kind": maybe("view", ODD_TEXT), "sku": maybe("85123A", ODD_TEXT),
     "occurred_at": maybe("2011-12-01T08:26:00Z", ODD_TIMES)},
    optional={"id": ODD_TEXT, "metadata": JSON_VALUES},
)  # fmt: skip
INTEREST = st.fixed_dictionaries(
    {"interest": maybe("seasonal/christmas", ODD_TEXT), "confidence": maybe(0.5, EXTREME_NUMBERS)},
    optional={"source": maybe("declared", ODD_TEXT)},
)
CUSTOMER = st.fixed_dictionaries(
    {},
    optional={"name": ODD_TEXT, "email": maybe("ann@example.org", ODD_TEXT), "country": ODD_TEXT,
              "profile": JSON_VALUES, "marketing_consent": maybe(True, JSON_VALUES)},
)  # fmt: skip
BATCH = st.fixed_dictionaries(
    {},
    optional={"customer": CUSTOMER, "purchases": st.lists(PURCHASE, max_size=3),
              "events": st.lists(EVENT, max_size=3), "interests": st.lists(INTEREST, max_size=3),
              "source": maybe("shop", ODD_TEXT)},
)  # fmt: skip
RAW_BODIES = st.sampled_from(
    [nested(10_000), '{"purchases": ' + nested(5_000) + "}", '{"customer": {"profile": {"a": "\\udfff"}}}',
     b"\xff\xfe{}", "", "null", "[]", '{"purchases": [' + '{"sku": "85123A"},' * 2000 + "{}]}",
     '{"purchases": 1e99999}', "{" * 100]
)  # fmt: skip
STORED = (Customer, Purchase, InteractionEvent, CustomerInterest)


def counts() -> list[int]:
    return [model.objects.count() for model in STORED]


def post(client: APIClient, external_id: str, body: Any) -> Any:
    url = f"/api/v1/customers/{quote(external_id, safe='', errors='surrogatepass')}/data"
    if isinstance(body, (str, bytes)):
        return client.generic("POST", url, body, content_type="application/json")  # type: ignore[arg-type]
    return client.post(url, json.dumps(body), content_type="application/json")


def assert_answered(response: Any) -> None:
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        body = response.json()
        assert {"error_code", "message", "details", "request_id"} <= set(body), body


@pytest.fixture
def catalogue(db: None) -> None:
    baker.make(Product, sku="85123A", name="WHITE HANGING HEART T-LIGHT HOLDER")


@pytest.mark.fuzz
@pytest.mark.usefixtures("catalogue")
@fuzz_budget
@given(external_id=maybe("fuzz-1", ODD_TEXT), body=st.one_of(BATCH, BATCH, RAW_BODIES))
def test_a_hostile_batch_is_answered_and_a_retry_stores_nothing_twice(
    staff_client: APIClient, external_id: str, body: Any
) -> None:
    cache.clear()  # rate limits count across examples; each starts afresh, as each test does
    first = post(staff_client, external_id, body)
    assert_answered(first)
    stored = counts()

    retry = post(staff_client, external_id, body)

    assert_answered(retry)
    assert retry.status_code < 300 or first.status_code >= 300, "a stored batch was refused on retry"
    assert counts() == stored, "a retried batch stored something again"
