"""Campaign states, schedules (one-off and recurring), the A/B split and the results."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from campaigns.comparison import campaign_comparison
from campaigns.errors import CampaignNotReady
from campaigns.models import (
    Campaign,
    CampaignState,
    CampaignVariant,
    Send,
    SendStatus,
)
from campaigns.selectors import campaign_results
from campaigns.services.lifecycle import campaign_recurrence_set, campaign_send_now, campaign_transition
from campaigns.services.runs import campaign_run_start, campaigns_due_start
from customers.models import Customer
from tests.factories import ab_campaign


@pytest.fixture
def draft(db: None) -> Campaign:
    return ab_campaign(customers=400, shares={"A": 70, "B": 30})


def test_a_campaign_is_scheduled_only_when_it_can_run(draft: Campaign) -> None:
    with pytest.raises(CampaignNotReady, match="send time or a repeat schedule"):
        campaign_transition(campaign_id=draft.pk, action="schedule")
    CampaignVariant.objects.filter(campaign=draft, label="B").update(share=20)
    draft.send_at = timezone.now()
    draft.save()
    with pytest.raises(CampaignNotReady, match="add up to 100"):
        campaign_transition(campaign_id=draft.pk, action="schedule")
    CampaignVariant.objects.filter(campaign=draft, label="B").update(share=30)

    assert campaign_transition(campaign_id=draft.pk, action="schedule").state == CampaignState.SCHEDULED
    again = campaign_transition(campaign_id=draft.pk, action="schedule")  # a double click
    assert again.state == CampaignState.SCHEDULED
    campaign_transition(campaign_id=draft.pk, action="cancel")
    with pytest.raises(CampaignNotReady, match="cancelled campaign cannot pause"):
        campaign_transition(campaign_id=draft.pk, action="pause")


def test_send_now_starts_one_run_however_often_it_is_asked(
    draft: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        first = campaign_send_now(campaign_id=draft.pk)
        second = campaign_send_now(campaign_id=draft.pk)  # a double click

    assert first.state == second.state == CampaignState.SENDING
    assert first.send_at is not None
    assert draft.runs.count() == 1
    assert Send.objects.count() == 400
    campaign_transition(campaign_id=draft.pk, action="pause")
    with pytest.raises(CampaignNotReady, match="paused campaign cannot be sent now"):
        campaign_send_now(campaign_id=draft.pk)


def test_send_now_refuses_a_segment_nobody_in_can_be_emailed(draft: Campaign) -> None:
    Customer.objects.update(marketing_consent=False)

    with pytest.raises(CampaignNotReady, match="Nobody in the segment “all” can be emailed now"):
        campaign_send_now(campaign_id=draft.pk)
    assert Campaign.objects.get(pk=draft.pk).state == CampaignState.DRAFT
    assert not draft.runs.exists()


def test_a_due_one_off_campaign_starts_once_and_splits_by_share(
    draft: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    draft.send_at = timezone.now() - timedelta(minutes=1)
    draft.save()
    campaign_transition(campaign_id=draft.pk, action="schedule")

    with django_capture_on_commit_callbacks(execute=False):
        started, again = campaigns_due_start(), campaigns_due_start()

    assert len(started) == 1
    assert again == []  # it is sending now: not due a second time
    shares = {r.label: r.recipients for r in campaign_results(draft)}
    assert shares["A"] + shares["B"] == 400
    assert 0.6 < shares["A"] / 400 < 0.8
    reassigned = campaign_run_start(campaign_id=draft.pk, occurrence=f"{draft.send_at:%Y-%m-%dT%H:%M}")
    assert reassigned is not None
    assert reassigned.pk == started[0]  # the same occurrence is the same run
    assert Send.objects.count() == 400


def test_a_recurring_campaign_has_a_beat_entry_that_follows_its_state(draft: Campaign) -> None:
    campaign_recurrence_set(campaign=draft, cron="0 9 * * 1")
    task = PeriodicTask.objects.get(pk=draft.schedule_id)
    assert (task.task, task.crontab.hour, task.crontab.day_of_week, task.enabled) == (
        "campaigns.tasks.start_campaign_run", "9", "1", False,
    )  # fmt: skip

    campaign_transition(campaign_id=draft.pk, action="schedule")
    assert PeriodicTask.objects.get(pk=task.pk).enabled
    campaign_transition(campaign_id=draft.pk, action="pause")
    assert not PeriodicTask.objects.get(pk=task.pk).enabled

    campaign_recurrence_set(campaign=draft, cron="")
    assert not PeriodicTask.objects.filter(pk=task.pk).exists()
    with pytest.raises(CampaignNotReady, match="five fields"):
        campaign_recurrence_set(campaign=draft, cron="0 9 * *")
    with pytest.raises(CampaignNotReady, match="does not parse"):
        campaign_recurrence_set(campaign=draft, cron="61 9 * * *")


def test_the_winner_is_the_variant_ahead_on_the_campaign_metric(
    draft: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    draft.state = CampaignState.SCHEDULED
    draft.save()
    with django_capture_on_commit_callbacks(execute=False):
        run = campaign_run_start(campaign_id=draft.pk, occurrence="now")
    assert run is not None
    now = timezone.now()
    Send.objects.filter(run=run).update(status=SendStatus.SENT, sent_at=now)
    for label, clicks in (("A", 10), ("B", 12)):  # B: fewer recipients, more clicks
        ids = list(Send.objects.filter(run=run, variant__label=label).values_list("pk", flat=True)[:clicks])
        Send.objects.filter(pk__in=ids).update(clicked_at=now, opened_at=now)

    results = campaign_results(draft)
    comparison = campaign_comparison(draft.winner_metric, results)

    assert [(r.label, r.clicked) for r in results] == [("A", 10), ("B", 12)]
    assert comparison.leader == "B"
    assert comparison.confidence is not None
    assert comparison.confidence > 0.95
    assert comparison.summary.startswith("B leads on click rate, 9")
    assert comparison.summary.endswith("% confidence (two-proportion z-test).")


def test_the_api_lists_campaigns_with_their_results(
    draft: Campaign, staff_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    draft.state = CampaignState.SCHEDULED
    draft.save()
    campaign_recurrence_set(campaign=draft, cron="30 8 * * 1")
    with django_capture_on_commit_callbacks(execute=False):
        campaign_run_start(campaign_id=draft.pk, occurrence="now")

    listed = staff_client.get("/api/v1/campaigns").json()
    detail = staff_client.get(f"/api/v1/campaigns/{draft.pk}").json()

    assert listed["results"] == [detail]
    assert detail["state"] == "sending"
    assert "08:30" in detail["repeats"]
    assert [(r["variant"], r["recipients"] > 0, r["sent"]) for r in detail["results"]] == [
        ("A", True, 0),
        ("B", True, 0),
    ]
    assert detail["winner"] is None
    assert detail["comparison"] == {
        "metric": "click rate", "leader": None, "confidence": None,
        "summary": "Not enough data yet to compare the click rates (two-proportion z-test).",
    }  # fmt: skip
    assert staff_client.get("/api/v1/campaigns/999").json()["error_code"] == "not_found"


@pytest.mark.django_db(transaction=True)  # beat closes connections it finds inside a transaction
def test_beat_reads_a_recurring_campaign_from_the_database(draft: Campaign) -> None:
    from django_celery_beat.schedulers import DatabaseScheduler

    from marketing_platform.celery import app

    # beat loads the crontab entries due within two hours: one for this hour
    campaign_recurrence_set(campaign=draft, cron=f"15 {timezone.now().hour} * * *")
    campaign_transition(campaign_id=draft.pk, action="schedule")

    entries = DatabaseScheduler(app=app).all_as_schedule()  # syncs the fixed entries first

    entry = entries[f"campaign {draft.pk}: {draft.name}"]
    assert entry.task == "campaigns.tasks.start_campaign_run"
    assert entry.kwargs == {"campaign_id": draft.pk}
    assert "resume-campaigns" in entries  # the fixed entries are there too


def test_the_admin_pages_show_the_schedule_the_count_and_the_results(
    draft: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    get_user_model().objects.create_superuser("staff", "staff@example.org", "a-long-test-password")
    browser = Client()
    browser.login(username="staff", password="a-long-test-password")
    draft.state = CampaignState.SCHEDULED
    draft.save()
    with django_capture_on_commit_callbacks(execute=False):
        campaign_run_start(campaign_id=draft.pk, occurrence="now")
    form = {"name": "Autumn", "segment": draft.segment_id, "send_at_0": "", "send_at_1": "",
            "repeat": "0 9 * * 1", "emails_per_second": 50, "winner_metric": "clicks",
            "variants-TOTAL_FORMS": 0, "variants-INITIAL_FORMS": 0, "variants-MIN_NUM_FORMS": 1,
            "variants-MAX_NUM_FORMS": 1000}  # fmt: skip

    page = browser.get(f"/admin/campaigns/campaign/{draft.pk}/change/").content.decode()
    listing = browser.get("/admin/campaigns/campaign/").content.decode()
    segment = browser.get(f"/admin/campaigns/segment/{draft.segment_id}/change/").content.decode()
    bad_cron = browser.post(f"/admin/campaigns/campaign/{draft.pk}/change/", form | {"repeat": "0 9 * *"})

    assert "Results per variant" in page
    assert "Autumn A" in page
    assert "Sending" in listing
    assert 'id="segment-count"' in segment
    assert "five fields" in bad_cron.content.decode()
