"""Interests inferred from messages: the categories they name, kept with history like purchase
interests, re-derived when a customer's messages change."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from model_bakery import baker

from catalog.models import Category, Product
from conversations.models import Message
from conversations.services.messages import messages_delete, messages_ingest
from customers.models import Customer, CustomerInterest, Interest, InterestSource
from customers.services.activity import _queue_recomputes
from customers.services.interests import stale_interests_recompute
from customers.tasks import recompute_customer_interests
from tests.conversations.conftest import People

SENT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def lights(db: None) -> Interest:
    return _interest("lights-candles", "Lights & candles", ["WHITE METAL LANTERN", "MOROCCAN TEA LANTERN"])


@pytest.fixture
def christmas(db: None) -> Interest:
    return _interest("christmas", "Christmas", ["PAPER CHAIN KIT 50'S CHRISTMAS"])


def _interest(slug: str, name: str, products: list[str]) -> Interest:
    category = baker.make(Category, slug=slug, name=name, parent=baker.make(Category))
    for product in products:
        baker.make(Product, name=product, category=category)
    return baker.make(Interest, slug=slug, name=name, product_category=category)


def say(customer: Customer, message_id: str, text: str, **more: Any) -> None:
    messages_ingest(
        customer_id=customer.pk,
        source="chat",
        messages=[{"id": message_id, "text": text, "sent_at": SENT, **more}],
    )


def from_messages(customer: Customer) -> dict[int, CustomerInterest]:
    current = CustomerInterest.objects.current().filter(customer=customer, source=InterestSource.MESSAGES)
    return {row.interest_id: row for row in current}


def test_a_named_category_becomes_an_interest_with_its_message_and_words(
    people: People, lights: Interest, christmas: Interest
) -> None:
    # given
    say(people.ada, "m1", "I want to return the lantern I ordered")
    message = Message.objects.get(message_id="m1")
    # when
    recompute_customer_interests(people.ada.pk)
    # then
    (interest,) = from_messages(people.ada).values()
    assert interest.interest_id == lights.pk
    assert 0 < interest.confidence < 1
    assert interest.evidence == {
        "mentions": 1,
        "messages": [{"id": message.pk, "sent_at": SENT.isoformat(), "words": ["lantern"]}],
    }


def test_a_changed_message_re_derives_and_keeps_the_old_interest_as_history(
    people: People, lights: Interest, christmas: Interest
) -> None:
    # given
    say(people.ada, "m1", "The lantern arrived broken")
    stale_interests_recompute()
    # when the same message is resent with another text
    say(people.ada, "m1", "Where are the christmas decorations I ordered?")
    assert Customer.objects.get(pk=people.ada.pk).interests_stale_at is not None
    stale_interests_recompute()
    # then
    assert set(from_messages(people.ada)) == {christmas.pk}
    (old,) = CustomerInterest.objects.filter(customer=people.ada, interest=lights)
    assert old.valid_to is not None
    assert Customer.objects.get(pk=people.ada.pk).interests_stale_at is None


def test_a_generic_message_yields_no_interest(people: People, lights: Interest, christmas: Interest) -> None:
    say(people.ada, "m1", "I need to check the status of my order and change my delivery address")
    say(people.ada, "m2", "Can I pay with my credit card?")

    stale_interests_recompute()

    assert from_messages(people.ada) == {}


def test_deleting_the_message_closes_its_interest(people: People, lights: Interest) -> None:
    say(people.ada, "m1", "More lanterns please!")
    stale_interests_recompute()
    assert set(from_messages(people.ada)) == {lights.pk}

    messages_delete(ids=list(Message.objects.values_list("pk", flat=True)))
    stale_interests_recompute()

    assert from_messages(people.ada) == {}


def test_declared_interests_are_untouched_by_messages(people: People, lights: Interest) -> None:
    baker.make(
        CustomerInterest, customer=people.ada, interest=lights, source=InterestSource.DECLARED, confidence=0.5
    )
    say(people.ada, "m1", "Where is my order?")

    stale_interests_recompute()

    assert CustomerInterest.objects.current().filter(customer=people.ada).count() == 1


def test_new_messages_queue_their_customers_recompute_after_commit(
    people: People, lights: Interest, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        say(people.bob, "m1", "the lantern is lovely")

    queued = [c for c in callbacks if getattr(c, "__wrapped__", None) is _queue_recomputes]
    assert len(queued) == 1


def test_an_import_recomputes_the_interests_of_the_customers_it_names(
    people: People, lights: Interest, christmas: Interest, tmp_path: Path
) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(
        "client,body,when\n"
        "ada-1,Do you have more christmas decorations?,2026-11-01T10:00:00Z\n"
        "bob-2,Where is my order?,2026-11-01T10:00:00Z\n"
    )

    call_command(
        "import_messages", str(path), "--customer-column", "client", "--text-column", "body",
        "--time-column", "when", "--rejects", str(tmp_path / "rejects.csv"), stdout=StringIO(),
    )  # fmt: skip

    assert set(from_messages(people.ada)) == {christmas.pk}
    assert from_messages(people.bob) == {}
    assert not Customer.objects.filter(interests_stale_at__isnull=False).exists()
