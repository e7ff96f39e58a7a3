"""What recipients did with an email: clicks through our links, and the ESP's events."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from anymail.signals import AnymailTrackingEvent, EventType
from django.core import signing
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from analytics.services.changes import aggregate_changes_record
from campaigns.models import Send, Suppression, SuppressionReason
from campaigns.services.consent import customer_unsubscribe
from campaigns.tokens import read_click
from customers.models import InteractionKind
from customers.services.activity import EventRow, events_record


def send_click_record(*, send_id: int, product_id: int | None) -> None:
    """First click time on the send (and open: ``send_click_stamp``); a click on a product is
    also an interaction event (once per send and product), which the recommender learns from."""
    now = timezone.now()
    with transaction.atomic():
        send_click_stamp(send_id=send_id, at=now)
        customer_id = Send.objects.filter(pk=send_id).values_list("customer_id", flat=True).first()
        if customer_id is not None and product_id is not None:
            events_record([EventRow("email", f"click:{send_id}:{product_id}", customer_id, product_id,
                                    InteractionKind.CLICK, now, {"send": send_id})])  # fmt: skip


def send_click_stamp(*, send_id: int, at: datetime) -> None:
    """A click implies an open, even when the open went unseen (images off, a privacy proxy):
    the first click also stamps the open, so no variant counts more clicks than opens."""
    clicked = Send.objects.filter(pk=send_id, clicked_at__isnull=True).update(clicked_at=at)
    opened = Send.objects.filter(pk=send_id, opened_at__isnull=True).update(opened_at=at)
    if clicked or opened:
        aggregate_changes_record(send_ids=[send_id])


# What an ESP's tracking event sets on the send (first occurrence kept); clicks: ``send_click_stamp``.
STAMPS = {
    EventType.DELIVERED: "delivered_at",
    EventType.OPENED: "opened_at",
    EventType.BOUNCED: "bounced_at",
    EventType.COMPLAINED: "complained_at",
    EventType.UNSUBSCRIBED: "unsubscribed_at",
}
SUPPRESS = {EventType.BOUNCED: SuppressionReason.BOUNCED, EventType.COMPLAINED: SuppressionReason.COMPLAINED}


def tracking_event_record(event: AnymailTrackingEvent) -> int | None:
    """An ESP's webhook event (normalised by anymail): stamp the send it is about, suppress the
    address on a hard bounce or a complaint (a complaint also unsubscribes), and turn a click
    on a product into an interaction event. Replays change nothing. Returns the send's id."""
    send = _send_of(event)
    at = event.timestamp or timezone.now()
    with transaction.atomic():
        if event.event_type in SUPPRESS and event.recipient:
            Suppression.objects.get_or_create(
                email=event.recipient.lower(), defaults={"reason": SUPPRESS[event.event_type]}
            )
        if send is None:
            return None
        stamp = STAMPS.get(event.event_type)
        if stamp:
            if Send.objects.filter(pk=send.pk, **{f"{stamp}__isnull": True}).update(**{stamp: at}):
                aggregate_changes_record(send_ids=[send.pk])
        elif event.event_type == EventType.CLICKED:
            send_click_stamp(send_id=send.pk, at=at)
        if event.event_type in (EventType.COMPLAINED, EventType.UNSUBSCRIBED):
            customer_unsubscribe(customer_id=send.customer_id, send_id=send.pk)
    if event.event_type == EventType.CLICKED and event.click_url:
        product_id = _product_of(event.click_url)
        if product_id is not None:
            send_click_record(send_id=send.pk, product_id=product_id)
    return send.pk


def _send_of(event: AnymailTrackingEvent) -> Send | None:
    metadata = event.metadata or {}
    send_id = str(metadata.get("send", ""))
    if send_id.isdigit():
        return Send.objects.filter(pk=int(send_id)).first()
    if event.message_id:
        return Send.objects.filter(esp_message_id=event.message_id).first()
    return None


def _product_of(url: str) -> int | None:
    """The product behind one of our tracked links, if it is one."""
    try:
        match = resolve(urlsplit(url).path)
        if match.url_name != "email-click":
            return None
        return read_click(match.kwargs["token"]).product_id
    except (Resolver404, signing.BadSignature):
        return None
