"""Segments by what customers wrote: a message with an intent (within N days), and the intent
of their latest message; counted live in the admin like the other rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from model_bakery import baker

from campaigns.models import Segment
from campaigns.selectors import SegmentRules, segment_customers
from conversations.models import Intent
from conversations.services.messages import messages_ingest
from customers.models import Customer
from tests.factories import make_reachable

pytestmark = pytest.mark.django_db


@dataclass
class Writers:
    complaint: Intent
    praise: Intent
    ada: Customer  # a complaint 5 days ago, then praise yesterday
    bob: Customer  # a complaint 40 days ago, his latest message
    cy: Customer  # praise 2 days ago
    dee: Customer  # has written nothing


def write(customer: Customer, message_id: str, intent: Intent, days_ago: int) -> None:
    sent_at = timezone.now() - timedelta(days=days_ago)
    messages_ingest(
        customer_id=customer.pk,
        source="chat",
        messages=[{"id": message_id, "text": "hi", "sent_at": sent_at}],
    )
    customer.messages.filter(message_id=message_id).update(intent=intent, intent_confidence=0.8)


@pytest.fixture
def writers() -> Writers:
    ada, bob, cy, dee = make_reachable(baker.make(Customer, _quantity=4))
    complaint, praise = baker.make(Intent, slug="complaint"), baker.make(Intent, slug="praise")
    write(ada, "a1", complaint, 5)
    write(ada, "a2", praise, 1)
    write(bob, "b1", complaint, 40)
    write(cy, "c1", praise, 2)
    write(baker.make(Customer, email="no-consent@example.org"), "s1", complaint, 1)  # not reachable
    return Writers(complaint, praise, ada, bob, cy, dee)


def matching(**rules: Any) -> set[int]:
    return set(segment_customers(SegmentRules(**rules)).values_list("pk", flat=True))


def test_a_message_with_an_intent_within_days(writers: Writers) -> None:
    w = writers

    assert matching(sent_intent_ids=[w.complaint.pk]) == {w.ada.pk, w.bob.pk}
    assert matching(sent_intent_ids=[w.complaint.pk], sent_intent_within_days=30) == {w.ada.pk}
    assert matching(sent_intent_ids=[w.complaint.pk, w.praise.pk], sent_intent_within_days=3) == {
        w.ada.pk, w.cy.pk
    }  # fmt: skip
    assert matching(sent_intent_within_days=3) == {w.ada.pk, w.cy.pk}  # any message
    assert matching(sent_intent_within_days=10**9) == {w.ada.pk, w.bob.pk, w.cy.pk}


def test_the_intent_of_the_latest_message(writers: Writers) -> None:
    w = writers

    assert matching(last_message_intent_ids=[w.complaint.pk]) == {w.bob.pk}
    assert matching(last_message_intent_ids=[w.praise.pk]) == {w.ada.pk, w.cy.pk}
    assert matching(last_message_intent_ids=[w.praise.pk], sent_intent_ids=[w.complaint.pk]) == {w.ada.pk}


def test_the_admin_saves_the_rules_and_counts_them_while_edited(
    admin_client: Client, writers: Writers
) -> None:
    w = writers
    form = {"name": "Unhappy lately", "sent_intents": [w.complaint.pk], "sent_intent_within_days": 30}

    counted = admin_client.post("/admin/campaigns/segment/count/", form).json()
    last = admin_client.post(
        "/admin/campaigns/segment/count/", {"last_message_intents": [w.complaint.pk]}
    ).json()
    bad = admin_client.post("/admin/campaigns/segment/count/", {"sent_intent_within_days": -1}).json()
    saved = admin_client.post("/admin/campaigns/segment/add/", form)
    page = admin_client.get("/admin/campaigns/segment/add/").content.decode()

    assert (counted["ok"], counted["count"], counted["reachable"]) == (True, 1, 4)
    assert (last["ok"], last["count"]) == (True, 1)
    assert bad["ok"] is False
    assert bad["message"].startswith("sent_intent_within_days:")
    assert saved.status_code == 302
    segment = Segment.objects.get()
    assert list(segment.sent_intents.all()) == [w.complaint]
    assert set(segment_customers(segment).values_list("pk", flat=True)) == {w.ada.pk}
    assert f'<input type="checkbox" name="last_message_intents" value="{w.complaint.pk}"' in page
