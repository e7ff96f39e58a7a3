"""The campaign page in headless Chromium: the warning about vision boards before a send,
the lifecycle buttons (a double click moves once; cancelling asks first), and the results
with the comparison."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from campaigns.models import Campaign, CampaignState, EmailTemplate, Send, SendStatus
from campaigns.services.lifecycle import campaign_send_now
from tests.browser import admin_page, follow, require_chromium
from tests.factories import ab_campaign

PASSWORD = "a-long-test-password"


def sent_with_results() -> Campaign:
    """A copy of the campaign, sent, where B drew more clicks."""
    campaign = Campaign.objects.get(name="Autumn")
    campaign.pk, campaign.name, campaign._state.adding = None, "Autumn (sent)", True
    campaign.save()
    for variant in Campaign.objects.get(name="Autumn").variants.all():
        variant.pk, variant.campaign, variant._state.adding = None, campaign, True
        variant.save()
    campaign_send_now(campaign_id=campaign.pk)
    sends = Send.objects.filter(run__campaign=campaign)
    now = timezone.now()
    sends.update(status=SendStatus.SENT, sent_at=now, delivered_at=now)
    for label, clicks in (("A", 2), ("B", 14)):
        ids = list(sends.filter(variant__label=label).values_list("pk", flat=True)[:clicks])
        Send.objects.filter(pk__in=ids).update(opened_at=now, clicked_at=now)
    return campaign


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_run_a_campaign_from_its_page(live_server: object) -> None:
    require_chromium()
    # given: a draft whose variant B shows the vision board, due tomorrow, and a sent copy
    draft = ab_campaign(customers=60, shares={"A": 50, "B": 50})
    EmailTemplate.objects.filter(name="Autumn B").update(html_body="{{ vision_board_image() }}")
    Campaign.objects.filter(pk=draft.pk).update(send_at=timezone.now() + timedelta(days=1))
    sent = sent_with_results()
    get_user_model().objects.create_superuser("marketer", "marketer@example.org", PASSWORD)
    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)

    with admin_page(live_server, "marketer", PASSWORD, width=1400, height=1000) as page:
        # when: they read the page, schedule, pause with a double click, and resume
        page.goto(f"{live_server}/admin/campaigns/campaign/{draft.pk}/change/")
        note = page.inner_text(".campaign-board-note")
        page.screenshot(path=str(shots / "admin-campaign-draft.png"), full_page=True)
        follow(page, "button[data-move=schedule]")
        scheduled = page.inner_text("ul.messagelist")
        page.dblclick("button[data-move=pause]")
        page.wait_for_selector("button[data-move=schedule]")
        paused = page.inner_text("ul.messagelist")
        resume = page.inner_text("button[data-move=schedule]")
        follow(page, "button[data-move=schedule]")
        resumed = page.inner_text("ul.messagelist")
        asked: list[str] = []

        def think_better_of_it(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.dismiss()

        page.once("dialog", think_better_of_it)
        page.click("button[data-move=cancel]")
        after_cancel_dismissed = page.inner_text("ul.messagelist")
        page.goto(f"{live_server}/admin/campaigns/campaign/{sent.pk}/change/")
        results = page.inner_text(".campaign-results")
        comparison = page.inner_text(".campaign-comparison")
        moves = page.locator("button[data-move]").all_inner_texts()
        segment_editable = page.locator("select[name=segment]").count()
        locked = page.inner_text(".campaign-locked-note")
        page.screenshot(path=str(shots / "admin-campaign-results.png"), full_page=True)

    # then
    assert note.startswith("Variant B shows a vision board.")
    assert "have no board yet" in note
    assert scheduled.startswith("Autumn: scheduled for ")
    assert paused.strip() == "Autumn: paused."  # one message: the second click changed nothing
    assert resume == "Resume"
    assert resumed.startswith("Autumn: scheduled for ")
    assert asked == ["Cancel campaign “Autumn”? This cannot be undone."]
    assert after_cancel_dismissed == resumed
    assert Campaign.objects.get(pk=draft.pk).state == CampaignState.SCHEDULED
    assert "B ★ leading" in results
    assert comparison.startswith("B leads on click rate, ")
    assert comparison.endswith("% confidence (two-proportion z-test).")
    assert moves == ["Pause", "Cancel campaign"]
    assert segment_editable == 0
    assert locked.startswith("It started sending: its segment and variants")
