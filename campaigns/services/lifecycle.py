"""A campaign's states, moved by staff: draft → scheduled → sending → sent; paused, cancelled."""

from __future__ import annotations

import json

from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from campaigns.errors import CampaignNotReady
from campaigns.models import Campaign, CampaignState
from campaigns.selectors import segment_customers
from campaigns.services.runs import campaign_run_dispatch, campaign_run_start, campaign_variants_check
from marketing_platform.transactions import after_commit

NEXT = {
    "schedule": ({CampaignState.DRAFT, CampaignState.PAUSED}, CampaignState.SCHEDULED),
    "pause": ({CampaignState.SCHEDULED, CampaignState.SENDING}, CampaignState.PAUSED),
    "cancel": ({CampaignState.DRAFT, CampaignState.SCHEDULED, CampaignState.SENDING, CampaignState.PAUSED},
               CampaignState.CANCELLED),
}  # fmt: skip
# Where a move has already taken the campaign: asked again (a double click), it changes nothing.
DONE = {
    "schedule": {CampaignState.SCHEDULED, CampaignState.SENDING},  # resumed into its unfinished run
    "pause": {CampaignState.PAUSED},
    "cancel": {CampaignState.CANCELLED},
}
SENDABLE_NOW = {CampaignState.DRAFT, CampaignState.SCHEDULED}


def campaign_recurrence_set(*, campaign: Campaign, cron: str) -> None:
    """``cron`` (minute hour day month weekday, UTC) makes the campaign recurring; '' one-off.
    The beat entry starts one run per tick, as long as the campaign is scheduled."""
    with transaction.atomic():
        if not cron.strip():
            if campaign.schedule_id:
                PeriodicTask.objects.filter(pk=campaign.schedule_id).delete()
                campaign.schedule = None
                campaign.save(update_fields=["schedule", "updated_at"])
            return
        minute, hour, day, month, weekday = cron_fields(cron)
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_month=day,
            month_of_year=month,
            day_of_week=weekday,
            timezone="UTC",
        )
        task, _ = PeriodicTask.objects.update_or_create(
            name=f"campaign {campaign.pk}: {campaign.name}"[:200],
            defaults={"task": "campaigns.tasks.start_campaign_run", "crontab": crontab, "interval": None,
                      "kwargs": json.dumps({"campaign_id": campaign.pk}), "queue": "default",
                      "enabled": campaign.state in (CampaignState.SCHEDULED, CampaignState.SENDING)},
        )  # fmt: skip
        campaign.schedule = task
        campaign.save(update_fields=["schedule", "updated_at"])


def cron_fields(cron: str) -> tuple[str, str, str, str, str]:
    parts = cron.split()
    if len(parts) != 5:
        raise CampaignNotReady("A repeat schedule has five fields: minute hour day month weekday.")
    try:  # building celery's crontab parses every field
        _ = CrontabSchedule(
            minute=parts[0],
            hour=parts[1],
            day_of_month=parts[2],
            month_of_year=parts[3],
            day_of_week=parts[4],
        ).schedule
    except (ValueError, TypeError) as exc:
        raise CampaignNotReady(f"The repeat schedule does not parse: {exc}") from None
    return parts[0], parts[1], parts[2], parts[3], parts[4]


def campaign_transition(*, campaign_id: int, action: str) -> Campaign:
    """Raises ``CampaignNotReady`` with the reason when the move is not allowed now; a move
    already made is not made again."""
    allowed, target = NEXT[action]
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.state in DONE[action]:
            return campaign
        if campaign.state not in allowed:
            raise CampaignNotReady(f"A {campaign.get_state_display().lower()} campaign cannot {action}.")
        if target == CampaignState.SCHEDULED:
            campaign_variants_check(campaign)
            if campaign.send_at is None and campaign.schedule_id is None:
                raise CampaignNotReady("Give it a send time or a repeat schedule first.")
            if (
                campaign.state == CampaignState.PAUSED
                and campaign.runs.filter(finished_at__isnull=True).exists()
            ):
                target = CampaignState.SENDING  # resume the run it was in
        campaign.state = target
        campaign.save(update_fields=["state", "updated_at"])
        if campaign.schedule_id:
            PeriodicTask.objects.filter(pk=campaign.schedule_id).update(
                enabled=target in (CampaignState.SCHEDULED, CampaignState.SENDING)
            )
        if target == CampaignState.SENDING:
            for run_id in campaign.runs.filter(finished_at__isnull=True).values_list("pk", flat=True):
                after_commit(campaign_run_dispatch, run_id=run_id)
    return campaign


def campaign_send_now(*, campaign_id: int) -> Campaign:
    """Start a run now: a one-off campaign's send time becomes now; a recurring one runs once
    more, between its ticks (a tick in the same minute is the same run). Asked again while it
    sends (a double click), nothing more starts."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.state == CampaignState.SENDING:
            return campaign
        if campaign.state not in SENDABLE_NOW:
            raise CampaignNotReady(f"A {campaign.get_state_display().lower()} campaign cannot be sent now.")
        campaign_variants_check(campaign)
        if not segment_customers(campaign.segment).exists():
            raise CampaignNotReady(
                f"Nobody in the segment “{campaign.segment}” can be emailed now (an address, marketing "
                "consent, not unsubscribed, not suppressed): there is no one to send to."
            )
        now = timezone.now()
        if campaign.schedule_id is None:
            campaign.send_at = now
        campaign.state = CampaignState.SCHEDULED
        campaign.save(update_fields=["send_at", "state", "updated_at"])
        if campaign.schedule_id:
            PeriodicTask.objects.filter(pk=campaign.schedule_id).update(enabled=True)
        campaign_run_start(campaign_id=campaign.pk, occurrence=f"{now:%Y-%m-%dT%H:%M}")
        campaign.refresh_from_db()
    return campaign
