"""A campaign to 1,000 customers through real Celery worker processes, one of them killed with
SIGKILL mid-send: every eligible customer gets their email once, the unsubscribed none."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from campaigns.models import (
    Campaign,
    CampaignState,
    Send,
    SendStatus,
)
from campaigns.rendering.defaults import DEFAULT_TEMPLATE
from campaigns.services.runs import campaign_run_start
from customers.models import Customer
from marketing_platform.celery import app as celery_app
from tests.campaigns.smtp import Sink, start_smtp_server
from tests.factories import scheduled_campaign
from tests.support import ROOT

RECIPIENTS = 1000
UNSUBSCRIBED_LATE = 25  # unsubscribe after their sends exist, before anything is sent
# Exactly-once delivery is the subject here: a thousand vision boards drawn first would only slow it.
WITHOUT_BOARD = DEFAULT_TEMPLATE.html_body.replace("{{ vision_board_image() }}\n", "")


def wait_until(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.fixture
def smtp() -> Iterator[tuple[str, int, Sink]]:
    controller, sink = start_smtp_server()
    yield controller.hostname, controller.port, sink
    controller.stop()


@pytest.fixture
def worker_env(smtp: tuple[str, int, Sink], tmp_path: Path) -> dict[str, str]:
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs a database and a broker other processes share (PostgreSQL and Redis, as in CI)")
    db = connection.settings_dict
    host, port, _ = smtp
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "VAR_DIR": str(tmp_path),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": host,
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "false",
        "CAMPAIGN_SEND_CLAIM_SECONDS": "5",  # a dead worker's claims are taken over after 5 s
        "CAMPAIGN_RESUME_SECONDS": "2",  # the beat sweep that finds them
        "LOG_LEVEL": "WARNING",
    }


def start_worker(env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
    """A worker with two prefork processes and an embedded beat, in its own process group."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "marketing_platform", "worker", "-B", "-c", "2",
         "-Q", "default,render,email", "-n", f"{name}@%h", "-s", f"{env['VAR_DIR']}/beat-{name}",
         "--loglevel", "WARNING"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def audience() -> tuple[list[Customer], list[Customer]]:
    """1,000 consenting customers with addresses, and 40 who are not reachable."""
    reachable = Customer.objects.bulk_create(
        Customer(external_id=f"c{i:04d}", name=f"Customer {i}", email=f"c{i:04d}@example.org",
                 marketing_consent=True)
        for i in range(RECIPIENTS)
    )  # fmt: skip
    unreachable = Customer.objects.bulk_create(
        [Customer(external_id=f"u{i}", email=f"u{i}@example.org", marketing_consent=True,
                  unsubscribed_at=timezone.now()) for i in range(20)]
        + [Customer(external_id=f"n{i}", email=f"n{i}@example.org") for i in range(20)]  # no consent
    )  # fmt: skip
    return reachable, unreachable


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_neither_loses_nor_repeats_an_email(
    smtp: tuple[str, int, Sink], worker_env: dict[str, str]
) -> None:
    # given: a scheduled campaign to everyone reachable, and a broker with nothing left in it
    _, _, sink = smtp
    reachable, unreachable = audience()
    campaign = scheduled_campaign("Weekly", html_body=WITHOUT_BOARD)
    celery_app.control.purge()

    # when: the run starts (its sends and tasks), a few unsubscribe, a worker sends and is killed
    run = campaign_run_start(campaign_id=campaign.pk, occurrence="2026-11-24T09:00")
    assert run is not None
    assert run.recipients == RECIPIENTS
    late = reachable[:UNSUBSCRIBED_LATE]
    Customer.objects.filter(pk__in=[c.pk for c in late]).update(unsubscribed_at=timezone.now())
    first = start_worker(worker_env, "first")
    try:
        wait_until(lambda: len(sink.received) >= 200, 180, "the first worker to send 200 emails")
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    at_kill = len(sink.received)
    in_flight = Send.objects.filter(run=run, status__in=(SendStatus.PENDING, SendStatus.RENDERED,
                                                           SendStatus.SENDING)).count()  # fmt: skip
    second = start_worker(worker_env, "second")
    try:
        wait_until(
            lambda: Campaign.objects.get(pk=campaign.pk).state == CampaignState.SENT, 300, "the run to finish"
        )
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=60)

    # then
    assert 0 < at_kill < RECIPIENTS - UNSUBSCRIBED_LATE, "the kill came mid-campaign"
    assert in_flight > 0
    message_ids = sink.message_ids()
    eligible = {c.email for c in reachable[UNSUBSCRIBED_LATE:]}
    assert set(message_ids) == eligible, "every eligible customer got an email, and nobody else"
    assert all(len(ids) == 1 for ids in message_ids.values()), "nobody got two different emails"
    copies = sink.copies()
    # A message the server accepted just before the kill, not yet marked sent, is sent again
    # with the same Message-ID (receivers drop such copies); at most one per killed process.
    assert copies <= 2, f"{copies} copies"
    statuses = dict(
        Send.objects.filter(run=run).values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    assert statuses == {
        SendStatus.SENT: RECIPIENTS - UNSUBSCRIBED_LATE,
        SendStatus.SKIPPED: UNSUBSCRIBED_LATE,
    }
    assert not Send.objects.filter(customer__in=unreachable).exists()
