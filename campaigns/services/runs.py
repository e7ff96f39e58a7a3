"""Starting a campaign run and seeing it through: every recipient's ``Send`` row first, then
rendering and sending in batches, resumable from whatever state a crash left."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.errors import CampaignNotReady, SegmentUnavailable
from campaigns.models import Campaign, CampaignRun, CampaignState, CampaignVariant, Send, SendStatus
from campaigns.selectors import campaign_shows_board, segment_customers
from campaigns.split import variant_of
from marketing_platform.bulk import chunked
from marketing_platform.transactions import after_commit

logger = logging.getLogger(__name__)
# Sends per render task when each may draw its recipient's vision board first: a few boards
# a task keep it well inside its time limit, and spread the drawing over the render workers.
BOARD_BATCH = 10


def campaign_variants_check(campaign: Campaign) -> list[CampaignVariant]:
    variants = list(campaign.variants.select_related("template").order_by("label"))
    if not variants:
        raise CampaignNotReady("The campaign has no template: add a variant.")
    if sum(v.share for v in variants) != 100:
        raise CampaignNotReady("The variants' shares must add up to 100 %.")
    return variants


def campaign_run_start(*, campaign_id: int, occurrence: str) -> CampaignRun | None:
    """Create the run and one ``Send`` per recipient in one transaction, then queue the
    rendering. Idempotent per (campaign, occurrence): a second call for a run already
    started returns it and creates nothing. None when the campaign may not run now.

    Raises ``SegmentUnavailable`` when who the segment holds cannot be told now: nothing is
    created, and the campaign says why it waits (``Campaign.waiting_for``) until a run starts."""
    try:
        return _run_start(campaign_id=campaign_id, occurrence=occurrence)
    except SegmentUnavailable as exc:
        Campaign.objects.filter(pk=campaign_id).update(
            waiting_for=f"{timezone.now():%Y-%m-%d %H:%M} UTC: {exc}"
        )
        raise


def _run_start(*, campaign_id: int, occurrence: str) -> CampaignRun | None:
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.state not in (CampaignState.SCHEDULED, CampaignState.SENDING):
            return None
        existing = CampaignRun.objects.filter(campaign=campaign, occurrence=occurrence).first()
        if existing is not None:
            return existing
        variants = campaign_variants_check(campaign)
        run = CampaignRun.objects.create(campaign=campaign, occurrence=occurrence)
        customer_ids = list(segment_customers(campaign.segment).order_by("pk").values_list("pk", flat=True))
        for ids in chunked(customer_ids, 2000):
            Send.objects.bulk_create(
                [Send(run=run, customer_id=pk, variant=variant_of(pk, campaign.pk, variants)) for pk in ids],
                ignore_conflicts=True,
            )
        run.recipients = len(customer_ids)
        run.save(update_fields=["recipients"])
        campaign.state, campaign.waiting_for = CampaignState.SENDING, ""
        campaign.save(update_fields=["state", "waiting_for", "updated_at"])
        after_commit(campaign_run_dispatch, run_id=run.pk)
    return run


def campaign_run_dispatch(*, run_id: int) -> int:
    """Queue what is left of a run: rendering for pending sends, sending for rendered ones and
    for claims whose worker died. Safe to call any time: every step re-checks the row."""
    from campaigns.tasks import deliver_sends, render_sends

    stale = timezone.now() - timedelta(seconds=settings.CAMPAIGN_SEND_CLAIM_SECONDS)
    run = CampaignRun.objects.select_related("campaign").get(pk=run_id)
    render_batch = BOARD_BATCH if campaign_shows_board(run.campaign) else settings.CAMPAIGN_BATCH
    sends = Send.objects.filter(run_id=run_id)
    pending = list(sends.filter(status=SendStatus.PENDING).values_list("pk", flat=True))
    ready = list(
        sends.filter(
            Q(status=SendStatus.RENDERED) | Q(status=SendStatus.SENDING, claimed_at__lt=stale)
        ).values_list("pk", flat=True)
    )
    for batch in chunked(pending, render_batch):
        render_sends.delay(batch)
    for batch in chunked(ready, settings.CAMPAIGN_BATCH):
        deliver_sends.delay(batch)
    return len(pending) + len(ready)


def campaign_runs_resume() -> int:
    """Beat: re-queue the unfinished work of every sending campaign (a lost task, a killed
    worker), and close the runs that are done. Returns the sends queued."""
    queued = 0
    for run in CampaignRun.objects.filter(campaign__state=CampaignState.SENDING, finished_at__isnull=True):
        unfinished = run.sends.filter(
            status__in=(SendStatus.PENDING, SendStatus.RENDERED, SendStatus.SENDING)
        )
        if unfinished.exists():
            queued += campaign_run_dispatch(run_id=run.pk)
        else:
            campaign_run_finish(run_id=run.pk)
    return queued


def campaign_run_finish(*, run_id: int) -> None:
    with transaction.atomic():
        run = CampaignRun.objects.select_for_update().select_related("campaign").get(pk=run_id)
        if run.finished_at is not None:
            return
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
        campaign = run.campaign
        if campaign.state == CampaignState.SENDING:
            campaign.state = CampaignState.SCHEDULED if campaign.schedule_id else CampaignState.SENT
            campaign.save(update_fields=["state", "updated_at"])


def campaigns_due_start() -> list[int]:
    """Beat: start the one-off campaigns whose time has come; returns the runs started. One whose
    segment cannot be read now stays due, to be tried on the next tick; the others start."""
    now = timezone.now()
    due = Campaign.objects.filter(state=CampaignState.SCHEDULED, schedule__isnull=True, send_at__lte=now)
    started = []
    for campaign_id, send_at in due.values_list("pk", "send_at"):
        try:
            run = campaign_run_start(campaign_id=campaign_id, occurrence=f"{send_at:%Y-%m-%dT%H:%M}")
        except SegmentUnavailable as exc:
            logger.warning("Campaign %s waits: %s", campaign_id, exc)
            continue
        if run is not None:
            started.append(run.pk)
    return started
