"""A click implies an open: whichever way a click arrives (our tracked link, an ESP's event),
the send counts as opened, so no variant shows more clicks than opens."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import import_module
from typing import Any
from urllib.parse import urlsplit

import pytest
from anymail.signals import AnymailTrackingEvent, EventType
from django.apps import apps
from django.test import Client
from django.utils import timezone

from campaigns.models import Send, SendStatus
from campaigns.selectors import campaign_results
from campaigns.services.runs import campaign_run_start
from campaigns.services.tracking import tracking_event_record
from campaigns.tokens import Click, SignedLinks
from customers.models import Customer
from tests.factories import scheduled_campaign

CLICKED_AT = datetime(2026, 11, 24, 10, 6, tzinfo=UTC)


@pytest.fixture
def sent(db: None, django_capture_on_commit_callbacks: Any) -> list[Send]:
    Customer.objects.bulk_create(
        Customer(external_id=f"c{i}", email=f"c{i}@example.org", marketing_consent=True) for i in range(2)
    )
    with django_capture_on_commit_callbacks(execute=False):
        run = campaign_run_start(campaign_id=scheduled_campaign("Spring").pk, occurrence="now")
    assert run is not None
    run.sends.update(status=SendStatus.SENT, sent_at=timezone.now())
    return list(run.sends.order_by("pk"))


def event(kind: str, send: Send, at: datetime) -> AnymailTrackingEvent:
    return AnymailTrackingEvent(event_type=kind, timestamp=at, metadata={"send": str(send.pk)},
                                recipient="c0@example.org", click_url="https://shop.example/")  # fmt: skip


def test_following_a_tracked_link_records_the_open_too(sent: list[Send]) -> None:
    link = SignedLinks().click(Click(sent[0].pk, None, "https://shop.example/"))

    followed = Client().get(urlsplit(link).path)

    assert followed.status_code == 302
    send = Send.objects.get(pk=sent[0].pk)
    assert send.clicked_at is not None
    assert send.opened_at == send.clicked_at
    result = campaign_results(send.run.campaign)[0]
    assert (result.opened, result.clicked) == (1, 1)


def test_an_esp_click_without_its_open_counts_as_opened_and_keeps_an_earlier_open(sent: list[Send]) -> None:
    opened_first = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    tracking_event_record(event(EventType.OPENED, sent[1], opened_first))

    for send in sent:
        tracking_event_record(event(EventType.CLICKED, send, CLICKED_AT))
    tracking_event_record(event(EventType.OPENED, sent[0], datetime(2026, 11, 24, 11, 0, tzinfo=UTC)))

    clicked_only, opened_before = (Send.objects.get(pk=send.pk) for send in sent)
    assert (clicked_only.opened_at, clicked_only.clicked_at) == (CLICKED_AT, CLICKED_AT)
    assert (opened_before.opened_at, opened_before.clicked_at) == (opened_first, CLICKED_AT)
    result = campaign_results(clicked_only.run.campaign)[0]
    assert (result.opened, result.clicked) == (2, 2)


def test_sends_clicked_before_clicks_implied_opens_are_counted_as_opened(sent: list[Send]) -> None:
    migration = import_module("campaigns.migrations.0003_clicked_sends_count_as_opened")
    Send.objects.filter(pk=sent[0].pk).update(clicked_at=CLICKED_AT)  # as recorded before

    migration.stamp_opens(apps, None)

    assert Send.objects.get(pk=sent[0].pk).opened_at == CLICKED_AT
    assert Send.objects.get(pk=sent[1].pk).opened_at is None  # neither opened nor clicked
