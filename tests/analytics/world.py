"""Small histories for the analytics tests, written through the platform's own services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from anymail.signals import AnymailTrackingEvent

from campaigns.models import (
    Campaign,
    CampaignRun,
    CampaignState,
    CampaignVariant,
    EmailTemplate,
    Segment,
    Send,
    SendStatus,
)
from campaigns.services.tracking import tracking_event_record
from conversations.services.recording import MessageRow, messages_record
from customers.models import Customer, PurchaseKind
from customers.services.activity import EventRow, PurchaseRow, events_record, purchases_record

DAY0 = date(2011, 12, 1)


def at(day: int, hour: int = 10) -> datetime:
    """A moment ``day`` days after ``DAY0``."""
    return datetime.combine(DAY0 + timedelta(days=day), time(hour), tzinfo=UTC)


def buy(
    customer_id: int, product_id: int, line: str, *, day: int, quantity: int = 2, invoice: str = "",
    price: str = "2.50", currency: str = "GBP", hour: int = 10,
) -> None:  # fmt: skip
    """A sale line (a return with a negative quantity), as an importer records it."""
    unit_price = Decimal(price)
    kind = PurchaseKind.SALE if quantity > 0 else PurchaseKind.RETURN
    purchases_record(
        [PurchaseRow("test", line, invoice, kind, customer_id, product_id, quantity, unit_price,
                     unit_price * quantity, currency, at(day, hour), {})],
        recompute_interests=False,
    )  # fmt: skip


def act(customer_id: int, product_id: int, key: str, *, day: int, kind: str, hour: int = 11) -> None:
    """An interaction event, as the events API records it."""
    events_record(
        [EventRow("test", key, customer_id, product_id, kind, at(day, hour), {})], recompute_interests=False
    )


def say(customer_id: int, message_id: str, *, day: int, hour: int = 12) -> None:
    """A message from the customer (sent again with another day, it moves)."""
    messages_record(
        [MessageRow(customer_id, "test", message_id, f"Hello {message_id}", "chat", at(day, hour), None, "")],
        refresh_interests=False,
    )


def reachable(external_id: str) -> Customer:
    return Customer.objects.create(
        external_id=external_id, email=f"{external_id}@example.org", marketing_consent=True
    )


@dataclass
class Mailing:
    campaign: Campaign
    variants: list[CampaignVariant]
    sends: list[Send]


def mailing(customers: list[Customer], *, name: str = "Winter") -> Mailing:
    """A sending A/B campaign with one rendered email per customer, ready to leave."""
    campaign = Campaign.objects.create(
        name=name, segment=Segment.objects.get_or_create(name="everyone")[0], state=CampaignState.SENDING,
        emails_per_second=1000,
    )  # fmt: skip
    variants = []
    for label in "AB":
        template = EmailTemplate.objects.create(name=f"{name} {label}", subject=label, html_body="<p>hi</p>")
        variants.append(
            CampaignVariant.objects.create(campaign=campaign, label=label, share=50, template=template)
        )
    run = CampaignRun.objects.create(campaign=campaign, occurrence="now")
    sends = Send.objects.bulk_create(
        Send(run=run, customer=customer, variant=variants[index % 2], status=SendStatus.RENDERED,
             subject="Hi", html="<p>hi</p>", text="hi")
        for index, customer in enumerate(customers)
    )  # fmt: skip
    return Mailing(campaign, variants, sends)


def webhook(send: Send, event_type: str, moment: datetime) -> None:
    """An ESP's tracking event about the send, as anymail hands it over."""
    tracking_event_record(
        AnymailTrackingEvent(event_type=event_type, timestamp=moment, metadata={"send": str(send.pk)},
                             recipient=send.customer.email)
    )  # fmt: skip
