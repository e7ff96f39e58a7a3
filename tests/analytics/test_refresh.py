"""The refresh recomputes what writers noted: each aggregate's definition on a small history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from anymail.signals import EventType
from django.utils import timezone

from analytics.models import (
    AggregateChange,
    CampaignPerformance,
    CustomerEngagement,
    DailyActivity,
    DailyRevenue,
)
from analytics.services.recovery import aggregates_verify
from analytics.services.refresh import aggregates_refresh
from campaigns.services.sending import sends_deliver
from campaigns.services.tracking import send_click_record
from conversations.models import Message
from conversations.services.intents import message_intent_correct
from conversations.services.messages import messages_delete
from customers.models import Customer, InteractionKind, Purchase
from customers.services.retail_import import online_retail_import
from tests.analytics.world import DAY0, act, at, buy, mailing, reachable, say, webhook
from tests.factories import catalog
from tests.support import DEMO_SAMPLE


@pytest.fixture
def products(db: None) -> list[int]:
    return list(catalog(["85123A", "22086"]).values())


@pytest.fixture
def mail(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_a_day_counts_active_customers_orders_events_messages_and_revenue_per_currency(
    products: list[int],
) -> None:
    # given
    ada, bob, cy, dee = (reachable(name) for name in ("ada", "bob", "cy", "dee"))
    first, second = products
    buy(ada.pk, first, "1", day=0, invoice="I1")  # 5.00 GBP
    buy(ada.pk, second, "2", day=0, invoice="I1")  # 5.00 GBP, the same order
    buy(ada.pk, first, "3", day=0, quantity=-1, invoice="C1")  # a return: -2.50 GBP, no order
    buy(bob.pk, first, "4", day=0, invoice="I2", price="4.00", currency="EUR")  # 8.00 EUR
    act(cy.pk, first, "e1", day=0, kind=InteractionKind.VIEW)
    act(cy.pk, second, "e2", day=0, kind=InteractionKind.PURCHASE)  # an order without money
    say(dee.pk, "m1", day=0)
    buy(ada.pk, first, "5", day=1, invoice="I3")

    # when
    aggregates_refresh()

    # then
    day = DailyActivity.objects.get(day=DAY0)
    assert (day.active_customers, day.orders, day.events, day.messages) == (4, 3, 2, 1)
    revenue = dict(DailyRevenue.objects.filter(day=DAY0).values_list("currency", "revenue"))
    assert revenue == {"GBP": Decimal("7.5"), "EUR": Decimal("8")}
    assert DailyActivity.objects.get(day=DAY0 + timedelta(days=1)).orders == 1
    assert not AggregateChange.objects.exists()


def test_a_message_moved_to_another_day_leaves_its_first_day(products: list[int]) -> None:
    dee = reachable("dee")
    say(dee.pk, "m1", day=0)
    aggregates_refresh()

    say(dee.pk, "m1", day=2)  # sent again with another time
    aggregates_refresh()

    assert not DailyActivity.objects.filter(day=DAY0).exists()
    assert DailyActivity.objects.get(day=DAY0 + timedelta(days=2)).messages == 1
    assert not aggregates_verify().drifted


def test_a_second_refresh_finds_nothing_to_do_and_changes_nothing(products: list[int]) -> None:
    ada = reachable("ada")
    buy(ada.pk, products[0], "1", day=0)
    first = aggregates_refresh()
    stored = list(DailyActivity.objects.values())

    second = aggregates_refresh()

    assert (first.changes > 0, second.changes) == (True, 0)
    assert list(DailyActivity.objects.values()) == stored


def test_engagement_counts_orders_money_in_the_shop_currency_and_emails(
    products: list[int], mail: None
) -> None:
    # given
    ada, bob = reachable("ada"), reachable("bob")
    buy(ada.pk, products[0], "1", day=0, invoice="I1")
    buy(ada.pk, products[1], "2", day=0, invoice="I1")
    buy(ada.pk, products[0], "3", day=1, quantity=-1, invoice="C1")
    buy(ada.pk, products[0], "4", day=5, invoice="I2")
    buy(bob.pk, products[0], "5", day=2, invoice="I3", currency="EUR")
    sent = mailing([ada, bob])
    sends_deliver([send.pk for send in sent.sends])
    webhook(sent.sends[0], EventType.DELIVERED, at(6))
    webhook(sent.sends[0], EventType.OPENED, at(7))
    webhook(sent.sends[0], EventType.OPENED, at(8))  # a second open changes nothing

    # when
    aggregates_refresh()

    # then
    engagement = CustomerEngagement.objects.get(customer=ada)
    assert (engagement.first_purchase_at, engagement.last_purchase_at, engagement.orders) == (at(0), at(5), 2)
    assert engagement.monetary == Decimal("12.50")
    assert (engagement.emails_sent, engagement.emails_delivered, engagement.emails_opened) == (1, 1, 1)
    assert (engagement.emails_clicked, engagement.last_opened_at) == (0, at(7))
    other = CustomerEngagement.objects.get(customer=bob)
    assert (other.orders, other.monetary, other.emails_sent) == (1, 0, 1)  # EUR is not the shop's currency


def test_each_email_event_counts_on_the_day_of_its_stamp_per_variant(products: list[int], mail: None) -> None:
    # given
    ada, bob = reachable("ada"), reachable("bob")
    sent = mailing([ada, bob])
    sends_deliver([send.pk for send in sent.sends])
    today = timezone.localdate()
    webhook(sent.sends[0], EventType.DELIVERED, at(3))  # a late webhook, about an earlier day
    webhook(sent.sends[1], EventType.BOUNCED, at(3))
    send_click_record(send_id=sent.sends[0].pk, product_id=products[0])  # a click is an open too
    webhook(sent.sends[0], EventType.UNSUBSCRIBED, at(4))

    # when
    aggregates_refresh()

    # then
    rows = {
        (row.day, row.variant.label): (
            row.sent,
            row.delivered,
            row.opened,
            row.clicked,
            row.unsubscribed,
            row.bounced,
        )
        for row in CampaignPerformance.objects.select_related("variant")
    }
    assert rows == {
        (today, "A"): (1, 0, 1, 1, 0, 0),
        (today, "B"): (1, 0, 0, 0, 0, 0),
        (DAY0 + timedelta(days=3), "A"): (0, 1, 0, 0, 0, 0),
        (DAY0 + timedelta(days=3), "B"): (0, 0, 0, 0, 0, 1),
        (DAY0 + timedelta(days=4), "A"): (0, 0, 0, 0, 1, 0),
    }
    assert not aggregates_verify().drifted


def test_a_deleted_message_and_a_deleted_customer_leave_the_figures(products: list[int], mail: None) -> None:
    # given
    ada, bob = reachable("ada"), reachable("bob")
    buy(ada.pk, products[0], "1", day=0)
    buy(bob.pk, products[0], "2", day=0)
    say(ada.pk, "m1", day=1)
    sent = mailing([ada, bob])
    sends_deliver([send.pk for send in sent.sends])
    aggregates_refresh()

    # when
    messages_delete(ids=list(Message.objects.values_list("pk", flat=True)))
    Customer.objects.filter(pk=bob.pk).delete()  # as the admin deletes one
    aggregates_refresh()

    # then
    assert list(DailyActivity.objects.values_list("day", "active_customers")) == [(DAY0, 1)]
    assert list(CampaignPerformance.objects.values_list("variant__label", "sent")) == [("A", 1)]
    assert not aggregates_verify().drifted


def test_an_import_reaches_the_aggregates(db: None, tmp_path: Path) -> None:
    online_retail_import(path=DEMO_SAMPLE, rejects_path=tmp_path / "rejects.csv")

    counts = aggregates_refresh()

    buyers = Purchase.objects.values("customer_id").distinct().count()
    assert (counts.customers, CustomerEngagement.objects.count()) == (buyers, buyers)
    assert counts.days == DailyActivity.objects.count() > 0
    assert not aggregates_verify().drifted


def test_an_edit_of_what_no_aggregate_reads_notes_nothing(products: list[int]) -> None:
    dee = reachable("dee")
    say(dee.pk, "m1", day=0)
    aggregates_refresh()
    message = Message.objects.get()

    message_intent_correct(message_id=message.pk, intent=None)

    assert not AggregateChange.objects.exists()
