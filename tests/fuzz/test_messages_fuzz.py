"""Hostile batches of messages: never a server error, always the envelope, and a retried batch
never stores anything twice."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from conversations.models import Message
from customers.models import Customer
from tests.fuzz.budget import fuzz_budget
from tests.fuzz.hostile import EXTREME_NUMBERS, JSON_VALUES, ODD_TEXT, ODD_TIMES, maybe
from tests.fuzz.test_ingest_fuzz import RAW_BODIES, assert_answered

MESSAGE = st.fixed_dictionaries(
    {"id": maybe("m-1", ODD_TEXT), "text": maybe("Where is my order?", ODD_TEXT),
     "sent_at": maybe("2026-11-30T09:00:00Z", ODD_TIMES)},
    optional={"channel": maybe("chat", ODD_TEXT), "language": maybe("en-GB", ODD_TEXT),
              "campaign": EXTREME_NUMBERS, "extra": JSON_VALUES},
)  # fmt: skip
BATCH = st.fixed_dictionaries(
    {"messages": st.one_of(st.lists(st.one_of(MESSAGE, MESSAGE, JSON_VALUES), max_size=4), JSON_VALUES)},
    optional={"source": maybe("chat", ODD_TEXT)},
)


@pytest.fixture
def customer(db: None) -> None:
    Customer.objects.create(external_id="fuzz-1")


@pytest.mark.fuzz
@pytest.mark.usefixtures("customer")
@fuzz_budget
@given(body=st.one_of(BATCH, BATCH, RAW_BODIES))
def test_a_hostile_batch_of_messages_is_answered_and_a_retry_stores_nothing_twice(
    staff_client: APIClient, body: Any
) -> None:
    cache.clear()  # rate limits count across examples
    url = "/api/v1/customers/fuzz-1/messages"

    def post() -> Any:
        if isinstance(body, (str, bytes)):
            return staff_client.generic("POST", url, body, content_type="application/json")  # type: ignore[arg-type]
        return staff_client.post(url, json.dumps(body), content_type="application/json")

    first = post()
    assert_answered(first)
    stored = list(Message.objects.values_list("pk", "updated_at"))
    retry = post()

    assert_answered(retry)
    assert list(Message.objects.values_list("pk", "updated_at")) == stored, "a retry wrote again"
