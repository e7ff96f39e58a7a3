"""A customer whose latest message is a recent complaint gets no campaign email: the send is
skipped with its reason and counted on the campaign page, until they write about something else
or the hold runs out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from model_bakery import baker

from campaigns.models import COMPLAINT_HOLD, Campaign, Send, SendStatus
from campaigns.selectors import campaign_results
from campaigns.services.runs import campaign_run_start
from campaigns.services.sending import sends_deliver, sends_render
from conversations.models import Intent
from conversations.services.messages import messages_ingest
from customers.models import Customer
from tests.factories import Shop, make_reachable, scheduled_campaign


@pytest.fixture
def audience(shop: Shop) -> tuple[Customer, Customer]:
    ada, bob = make_reachable(Customer.objects.filter(external_id__in=["ada", "bob"]).order_by("external_id"))
    return ada, bob


@pytest.fixture
def complaint(db: None) -> Intent:
    return baker.make(Intent, name="Complaint", slug="complaint", holds_promotions=True)


def write(customer: Customer, message_id: str, *, days_ago: float, intent: Intent | None = None) -> None:
    messages_ingest(
        customer_id=customer.pk,
        source="chat",
        messages=[
            {"id": message_id, "text": "About my order", "sent_at": timezone.now() - timedelta(days=days_ago)}
        ],
    )
    if intent is not None:  # as the classifier or staff would set it
        customer.messages.filter(message_id=message_id).update(intent=intent, intent_confidence=0.9)


def send(campaign: Campaign, capture: Any) -> dict[int, tuple[str, str]]:
    with capture(execute=False):  # the tasks' work, done here in order
        run = campaign_run_start(campaign_id=campaign.pk, occurrence="1")
    assert run is not None
    sends_deliver(sends_render(list(run.sends.values_list("pk", flat=True))))
    return {s.customer_id: (s.status, s.skip_reason) for s in Send.objects.filter(run=run)}


def test_a_recent_complaint_holds_the_email_with_its_reason_and_the_page_counts_it(
    audience: tuple[Customer, Customer],
    complaint: Intent,
    admin_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given
    ada, bob = audience
    write(ada, "m1", days_ago=3, intent=complaint)
    write(bob, "m2", days_ago=3, intent=baker.make(Intent, slug="praise"))
    campaign = scheduled_campaign("Winter sale")
    # when
    sent = send(campaign, django_capture_on_commit_callbacks)
    # then
    assert sent == {ada.pk: (SendStatus.SKIPPED, COMPLAINT_HOLD), bob.pk: (SendStatus.SENT, "")}
    assert [message.to for message in mail.outbox] == [[bob.email]]
    (result,) = campaign_results(campaign)
    assert (result.skipped, result.held_for_complaint) == (1, 1)
    page = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert '<th scope="col">Held after a complaint</th>' in page
    assert "<td>1 / 0</td><td>1</td>" in page


def test_a_later_message_about_something_else_lifts_the_hold(
    audience: tuple[Customer, Customer], complaint: Intent, django_capture_on_commit_callbacks: Any
) -> None:
    ada, _ = audience
    write(ada, "m1", days_ago=3, intent=complaint)
    held = send(scheduled_campaign("First"), django_capture_on_commit_callbacks)

    write(ada, "m2", days_ago=1)  # not classified (yet): no complaint
    lifted = send(scheduled_campaign("Second"), django_capture_on_commit_callbacks)

    assert held[ada.pk] == (SendStatus.SKIPPED, COMPLAINT_HOLD)
    assert lifted[ada.pk] == (SendStatus.SENT, "")


def test_the_hold_runs_out_after_its_days(
    audience: tuple[Customer, Customer],
    complaint: Intent,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.CAMPAIGN_COMPLAINT_HOLD_DAYS = 10
    ada, _ = audience
    write(ada, "m1", days_ago=11, intent=complaint)

    sent = send(scheduled_campaign("Later"), django_capture_on_commit_callbacks)

    assert sent[ada.pk] == (SendStatus.SENT, "")
