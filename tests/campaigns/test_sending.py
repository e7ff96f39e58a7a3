"""A campaign sent through a real SMTP server: every eligible customer gets one well-formed
email, with the headers and links it must carry; nobody else gets any."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from campaigns.models import (
    Campaign,
    Send,
    SendStatus,
    Suppression,
    SuppressionReason,
)  # fmt: skip
from campaigns.services.runs import campaign_run_start
from campaigns.services.sending import campaign_throttle_take, sends_deliver, sends_render
from customers.models import Customer
from marketing_platform.celery import app as celery_app
from tests.campaigns.smtp import Sink, start_smtp_server
from tests.factories import Store, make_reachable, scheduled_campaign

RECIPIENTS = 12


@pytest.fixture
def smtp(settings: Any) -> Iterator[Sink]:
    controller, sink = start_smtp_server()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = False
    yield sink
    controller.stop()


@pytest.fixture
def audience(trained: Store) -> list[Customer]:
    """Twelve customers with an address and consent; everyone else has neither."""
    return make_reachable(Customer.objects.order_by("pk")[:RECIPIENTS])


def run_to_the_end(target: Campaign, django_capture_on_commit_callbacks: Any) -> list[Send]:
    with django_capture_on_commit_callbacks(execute=False):  # the tasks' work, done here in order
        run = campaign_run_start(campaign_id=target.pk, occurrence="2026-11-24T10:00")
    assert run is not None
    ids = list(run.sends.values_list("pk", flat=True))
    sends_deliver(sends_render(ids))
    return list(run.sends.select_related("customer"))


def test_each_eligible_customer_gets_one_complete_email(
    audience: list[Customer], smtp: Sink, django_capture_on_commit_callbacks: Any
) -> None:
    # given: one customer unsubscribes and one address is suppressed after the sends were created
    target = scheduled_campaign("Spring")
    with django_capture_on_commit_callbacks(execute=False):
        run = campaign_run_start(campaign_id=target.pk, occurrence="2026-11-24T10:00")
    assert run is not None
    assert run.recipients == RECIPIENTS
    ids = list(run.sends.values_list("pk", flat=True))
    Customer.objects.filter(pk=audience[0].pk).update(unsubscribed_at=timezone.now())
    Suppression.objects.create(email=audience[1].email.lower(), reason=SuppressionReason.BOUNCED)  # type: ignore[union-attr]

    # when
    counts = sends_deliver(sends_render(ids))
    again = sends_deliver(ids)  # a retried task

    # then
    assert counts == {"sent": RECIPIENTS - 2, "skipped": 2, "busy": 0}
    assert again == {"sent": 0, "skipped": 0, "busy": RECIPIENTS}
    skipped = dict(Send.objects.filter(status=SendStatus.SKIPPED).values_list("customer_id", "skip_reason"))
    assert skipped == {audience[0].pk: "unsubscribed", audience[1].pk: "suppressed"}
    by_address = {r.recipients[0]: r.message for r in smtp.received}
    assert len(smtp.received) == len(by_address) == RECIPIENTS - 2
    assert set(by_address) == {c.email for c in audience[2:]}
    sends = {
        s.customer.email: s for s in Send.objects.filter(status=SendStatus.SENT).select_related("customer")
    }
    for address, message in by_address.items():
        _check_message(message, sends[address])


def _check_message(message: Any, send: Send) -> None:
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in message.iter_parts()}
    assert set(parts) == {"text/plain", "text/html"}
    assert 'class="chip"' in parts["text/html"]  # the interests, the block most likely to run long
    encodings = {part.get_content_type(): part["Content-Transfer-Encoding"] for part in message.iter_parts()}
    assert encodings["text/html"] == "8bit"  # no line over 998 characters: sent as rendered, not encoded
    assert message["Message-ID"] == send.message_id
    assert message["Subject"] == send.subject
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(https?://[^>]+)>", message["List-Unsubscribe"].strip())  # may be folded
    assert unsubscribe, message["List-Unsubscribe"]
    html, text = parts["text/html"], parts["text/plain"]
    links = {unescape(link) for link in re.findall(r'href="(https?://[^"]+)"', html)}  # &amp; in attributes
    assert any("/email/click/" in link for link in links)
    assert any("/email/unsubscribe/" in link for link in links)
    browser = Client()
    for link in links:
        assert link in text or "/email/unsubscribe/" in link  # the text part keeps the links
        local = urlsplit(link)._replace(scheme="", netloc="").geturl()  # a signed board link keeps its query
        assert browser.get(local).status_code in (200, 302), link  # every link works
    assert browser.post(urlsplit(unsubscribe.group(1)).path, "List-Unsubscribe=One-Click",
                        content_type="application/x-www-form-urlencoded").status_code == 200  # fmt: skip
    send.refresh_from_db()
    assert send.clicked_at is not None  # following the tracked links recorded the click
    assert send.unsubscribed_at is not None


def test_the_frequency_cap_holds_across_campaigns(
    audience: list[Customer], smtp: Sink, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CAMPAIGN_FREQUENCY_CAP = 1

    first = run_to_the_end(scheduled_campaign("First"), django_capture_on_commit_callbacks)
    second = run_to_the_end(scheduled_campaign("Second"), django_capture_on_commit_callbacks)

    assert {s.status for s in first} == {SendStatus.SENT}
    assert {(s.status, s.skip_reason) for s in second} == {(SendStatus.SKIPPED, "frequency_cap")}
    assert len(smtp.received) == RECIPIENTS


def test_a_template_failing_for_one_customer_fails_only_that_send(
    audience: list[Customer], smtp: Sink, django_capture_on_commit_callbacks: Any
) -> None:
    fragile = "{% if customer.external_id == '" + audience[3].external_id + "' %}{{ 1/0 }}{% endif %}ok"
    target = scheduled_campaign("Fragile", html_body=fragile)

    sends = run_to_the_end(target, django_capture_on_commit_callbacks)

    failed = [s for s in sends if s.status == SendStatus.FAILED]
    assert [s.customer_id for s in failed] == [audience[3].pk]
    assert "ZeroDivisionError" in failed[0].error
    assert "line 1" in failed[0].error
    assert len(smtp.received) == RECIPIENTS - 1


def test_a_batch_rendered_again_keeps_what_was_stored_and_sends_once(
    audience: list[Customer], smtp: Sink, django_capture_on_commit_callbacks: Any
) -> None:
    # given: a campaign whose sends were rendered, one of them already sent
    with django_capture_on_commit_callbacks(execute=False):
        run = campaign_run_start(campaign_id=scheduled_campaign("Twice").pk, occurrence="2026-11-24T10:00")
    assert run is not None
    ids = list(run.sends.values_list("pk", flat=True))
    first = sends_render(ids)
    sends_deliver(first[:1])
    stored = dict(run.sends.values_list("pk", "html"))

    # when: the render task runs again (a retry, or the batch queued twice)
    again = sends_render(ids)

    # then: nothing is ready a second time, nothing stored changed, the rest send once each
    assert sorted(first) == sorted(ids)
    assert again == []
    assert dict(run.sends.values_list("pk", "html")) == stored
    assert run.sends.get(pk=first[0]).status == SendStatus.SENT
    sends_deliver(first)
    assert Counter(r.recipients[0] for r in smtp.received) == {c.email: 1 for c in audience}


def test_no_more_than_the_campaign_rate_leaves_in_any_second(db: None) -> None:
    seconds = []
    for _ in range(9):
        assert campaign_throttle_take(campaign_id=987, per_second=4, wanted=3) == 1
        seconds.append(int(time.time()))

    per_second = Counter(seconds)
    assert max(per_second.values()) <= 4
    assert len(per_second) >= 3  # nine emails at four a second span at least three seconds


def test_a_fast_campaign_takes_its_slots_a_few_at_a_time_within_its_rate(db: None) -> None:
    taken: Counter[int] = Counter()
    while sum(taken.values()) < 250:
        got = campaign_throttle_take(campaign_id=988, per_second=100, wanted=50)
        assert 1 <= got <= 5  # a twentieth of the rate at most
        taken[int(time.time())] += got

    assert max(taken.values()) <= 100
    assert len(taken) >= 3  # 250 slots at 100 a second span at least three seconds


@pytest.mark.django_db(transaction=True)  # two workers, each with its own connection
def test_a_slow_throttled_batch_keeps_its_claims_while_it_sends(smtp: Sink, settings: Any) -> None:
    # given: five rendered emails at one a second, and a lease shorter than the batch takes
    settings.CAMPAIGN_SEND_CLAIM_SECONDS = 3
    audience = make_reachable(Customer.objects.bulk_create([Customer(external_id=f"s{i}") for i in range(5)]))
    campaign = scheduled_campaign("Slow")
    Campaign.objects.filter(pk=campaign.pk).update(emails_per_second=1)
    run = campaign_run_start(campaign_id=campaign.pk, occurrence="2026-11-24T11:00")
    celery_app.control.purge()  # its tasks: this test does their work itself
    assert run is not None
    rendered = sends_render(list(run.sends.values_list("pk", flat=True)))
    assert len(rendered) == len(audience)

    # when: a worker sends the batch and, after the lease, another is handed the same batch
    def first_worker() -> None:
        sends_deliver(rendered)
        connection.close()

    first = threading.Thread(target=first_worker)
    first.start()
    time.sleep(3.5)
    second = sends_deliver(rendered)
    first.join(timeout=30)

    # then: the second finds every claim still held, and each customer got one email
    assert second["sent"] == 0
    assert Counter(r.recipients[0] for r in smtp.received) == {c.email: 1 for c in audience}
    assert set(run.sends.values_list("status", flat=True)) == {SendStatus.SENT}
