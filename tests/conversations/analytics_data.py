"""A small known set of messages for the analytics tests: two customers, three channels, two
intents and none, two campaigns, and a message on each side of the range 1-5 Dec 2011."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from campaigns.models import Campaign, Segment
from conversations.analytics import DateRange
from conversations.models import Intent, Message
from conversations.services.recording import MessageRow, messages_record
from tests.conversations.conftest import People

RANGE = DateRange(date(2011, 12, 1), date(2011, 12, 5))


@dataclass(frozen=True)
class Said:
    winter: Campaign
    spring: Campaign


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0, month: int = 12) -> datetime:
    return datetime(2011, month, day, hour, minute, second, tzinfo=UTC)


def messages_said(people: People) -> Said:
    segment = Segment.objects.create(name="all")
    winter = Campaign.objects.create(name="Winter sale", segment=segment)
    spring = Campaign.objects.create(name="Spring preview", segment=segment)
    order = Intent.objects.create(name="Order status", slug="order-status")
    complaint = Intent.objects.create(name="Complaint", slug="complaint")
    praise = Intent.objects.create(name="Praise", slug="praise")
    ada, bob = people.ada.pk, people.bob.pk
    said = [  # key, customer, channel, sent at, campaign, intent
        ("before", bob, "chat", at(30, 23, 59, 59, month=11), None, praise),
        ("m1", ada, "chat", at(1, 9), winter, order),
        ("m2", ada, "email", at(1, 18), winter, complaint),
        ("m3", bob, "chat", at(2, 10), None, None),
        ("m4", bob, "web", at(5), spring, order),  # the last day's midnight: inside
        ("after", ada, "email", at(6), None, order),  # the next day's midnight: outside
    ]
    messages_record([
        MessageRow(customer, "api", key, f"Message {key}", channel, sent_at, c.pk if c else None, "en")
        for key, customer, channel, sent_at, c, _ in said
    ])  # fmt: skip
    for key, *_, intent in said:
        Message.objects.filter(message_id=key).update(intent=intent)
    return Said(winter, spring)
