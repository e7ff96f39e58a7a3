"""The campaign page's performance over time: per variant, each day's sent, opened, clicked and
converted, under the results table; nothing of it before the campaign sends."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from campaigns.models import Campaign, Segment
from campaigns.services.sending import sends_deliver
from tests.analytics.overview_history import History, overview_history
from tests.analytics.world import mailing, reachable


@pytest.fixture
def history(db: None, settings: Any) -> History:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return overview_history()


def test_a_sent_campaigns_page_charts_each_variant_per_day(admin_client: Client, history: History) -> None:
    response = admin_client.get(f"/admin/campaigns/campaign/{history.campaign.pk}/change/")

    page = response.content.decode()
    assert page.count("<canvas") == 2
    assert page.index('class="campaign-results"') < page.index("<canvas")  # under the results table
    assert "Variant A, per day" in page
    assert "Variant B, per day" in page
    today = history.today.strftime("%-d %b %Y")
    # A: sent, opened and clicked, and the purchase its click earned; B: sent (and bounced)
    assert f'<tr><th scope="row">{today}</th><td>1</td><td>1</td><td>1</td><td>1</td></tr>' in page
    assert f'<tr><th scope="row">{today}</th><td>1</td><td>0</td><td>0</td><td>0</td></tr>' in page
    assert "vendor/chart.js/chart.umd.min.js" in page


def test_a_campaign_that_sent_nothing_has_no_chart(admin_client: Client) -> None:
    campaign = Campaign.objects.create(name="Draft", segment=Segment.objects.create(name="all"))

    page = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()

    assert "Nothing sent yet." in page
    assert "<canvas" not in page
    assert "per day" not in page


def test_before_the_analytics_count_its_emails_the_page_says_when_the_chart_comes(
    admin_client: Client, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent = mailing([reachable("ada")])
    sends_deliver([send.pk for send in sent.sends])

    page = admin_client.get(f"/admin/campaigns/campaign/{sent.campaign.pk}/change/").content.decode()

    assert 'class="campaign-results"' in page
    assert "Its figures per day appear after the next refresh of the analytics." in page
    assert "<canvas" not in page
