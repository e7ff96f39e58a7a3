"""Thin tasks over the campaign services: ids in, one service call."""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from campaigns.errors import SegmentUnavailable
from campaigns.services.runs import campaign_run_start, campaign_runs_resume, campaigns_due_start
from campaigns.services.sending import TRANSIENT, sends_deliver, sends_render
from marketing_platform.celery import RETRYING, Queues


@shared_task(queue=Queues.RENDER, autoretry_for=(OperationalError,), **RETRYING)
def render_sends(send_ids: list[int]) -> int:
    """Render a batch, then hand what is ready to the email queue."""
    ready = sends_render(send_ids)
    if ready:
        deliver_sends.delay(ready)
    return len(ready)


@shared_task(queue=Queues.EMAIL, autoretry_for=(OperationalError, *TRANSIENT), **RETRYING)
def deliver_sends(send_ids: list[int]) -> dict[str, int]:
    return sends_deliver(send_ids)


@shared_task(bind=True, queue=Queues.DEFAULT, autoretry_for=(OperationalError,), **RETRYING)
def start_campaign_run(self: Task, campaign_id: int, occurrence: str = "") -> int | None:
    """A recurring campaign's tick (its occurrence: this minute, so a doubled tick is one run).
    A segment that cannot be read now is tried again later, for the same occurrence."""
    occurrence = occurrence or f"{timezone.now():%Y-%m-%dT%H:%M}"
    try:
        run = campaign_run_start(campaign_id=campaign_id, occurrence=occurrence)
    except SegmentUnavailable as exc:
        raise self.retry(
            kwargs={"campaign_id": campaign_id, "occurrence": occurrence},
            exc=exc,
            countdown=settings.CAMPAIGN_SEGMENT_RETRY_SECONDS,
        ) from exc
    return run.pk if run else None


@shared_task(queue=Queues.DEFAULT)
def start_due_campaigns() -> list[int]:
    return campaigns_due_start()


@shared_task(queue=Queues.DEFAULT)
def resume_campaigns() -> int:
    return campaign_runs_resume()
