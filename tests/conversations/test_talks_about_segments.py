"""The segment rule "talks about X": customers with a message that means X, by a bar relative to
the phrase's own similarities (so it fits any model), counted live; while the message search is
down the count says so and a campaign of such a segment waits instead of going to a wrong audience."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from model_bakery import baker
from rest_framework.test import APIClient

from campaigns.errors import SegmentUnavailable
from campaigns.models import Campaign, CampaignRun, CampaignState, Segment, Strictness
from campaigns.selectors import SegmentRules, segment_customers
from campaigns.services.runs import campaigns_due_start
from campaigns.tasks import start_campaign_run
from conversations.services.recording import MessageRow, messages_record
from conversations.services.vectors import messages_embed
from conversations.talking import Phrase
from conversations.vectors import close_vector_store
from conversations.vectors.port import VectorStore
from customers.models import Customer
from tests.browser import admin_page, require_chromium
from tests.factories import make_reachable, scheduled_campaign
from tests.support import PASSWORD, free_port

pytestmark = pytest.mark.vectors

GIFT = "a gift for my mother"
COUNT = reverse("admin:campaigns_segment_count")


@dataclass
class Shoppers:
    ada: Customer  # a present for her mum, yesterday
    bob: Customer  # a gift for his mother, 40 days ago
    cy: Customer  # thanks for a tea set
    dee: Customer  # a late delivery


@pytest.fixture
def shoppers(vectors: VectorStore) -> Shoppers:
    people = Shoppers(*make_reachable(baker.make(Customer, external_id=iter("abcd"), _quantity=4)))
    now = timezone.now()
    said = [
        (people.ada, "I need a present for my mum's birthday, any ideas?", now - timedelta(days=1)),
        (people.bob, "Looking for a gift for my mother", now - timedelta(days=40)),
        (people.cy, "What a lovely tea set, thank you!", now - timedelta(days=2)),
        (people.dee, "The delivery is late again, where is my package?", now - timedelta(days=3)),
    ]
    written = messages_record(
        [
            MessageRow(who.pk, "chat", f"m-{who.pk}", text, "chat", when, None, "en")
            for who, text, when in said
        ]
    )
    messages_embed(ids=written.changed_ids)
    return people


@pytest.fixture
def store_down(settings: Any) -> Iterator[None]:
    """The vector store at an address where nothing answers, for the test."""
    with unreachable_store(settings):
        yield


@contextmanager
def unreachable_store(settings: Any) -> Iterator[None]:
    uri, timeout = settings.MILVUS_URI, settings.MILVUS_TIMEOUT
    close_vector_store()
    settings.MILVUS_URI, settings.MILVUS_TIMEOUT = f"http://127.0.0.1:{free_port()}", 1.0
    try:
        yield
    finally:
        close_vector_store()
        settings.MILVUS_URI, settings.MILVUS_TIMEOUT = uri, timeout


def gifts_campaign() -> Campaign:
    """A scheduled campaign to the customers who talk about a gift for their mother."""
    campaign = scheduled_campaign("Gifts for mothers")
    campaign.segment = Segment.objects.create(name="gifts", talks_about=GIFT)
    campaign.save(update_fields=["segment"])
    return campaign


def members(**rules: Any) -> set[int]:
    return set(segment_customers(SegmentRules(**rules)).values_list("pk", flat=True))


def test_the_segment_holds_the_customers_whose_messages_mean_the_phrase(shoppers: Shoppers) -> None:
    assert members(talks_about=GIFT) == {shoppers.ada.pk, shoppers.bob.pk}
    assert members(talks_about=GIFT, talks_about_within_days=30) == {shoppers.ada.pk}
    assert members(talks_about="late delivery") == {shoppers.dee.pk}
    assert members(talks_about=GIFT, countries=["Nowhere"]) == set()  # with the other rules, as always


def test_a_stricter_rule_keeps_the_closer_messages(shoppers: Shoppers, settings: Any) -> None:
    settings.SEGMENT_TALKS_ABOUT_Z = {**settings.SEGMENT_TALKS_ABOUT_Z, "strict": 5.0}  # a shop's own

    assert members(talks_about=GIFT, talks_about_strictness=Strictness.STRICT) == {shoppers.bob.pk}


def test_a_saved_segment_reads_its_rule(shoppers: Shoppers) -> None:
    segment = Segment.objects.create(name="gifts for mothers", talks_about=GIFT, talks_about_within_days=30)

    assert set(segment_customers(segment).values_list("pk", flat=True)) == {shoppers.ada.pk}


def test_the_bar_moves_with_the_scores_when_another_model_shifts_or_scales_them() -> None:
    rng = np.random.default_rng(7)
    reference, messages = rng.normal(0.8, 0.02, 135), rng.normal(0.82, 0.04, 500)
    vector = np.zeros(3)

    def matched(scale: float, shift: float, z: float) -> np.ndarray:
        bar = Phrase.measured(vector, reference * scale + shift).floor(z)
        return np.flatnonzero(messages * scale + shift >= bar)

    for z in (2.0, 3.0, 4.0):
        expected = matched(1.0, 0.0, z)
        assert 0 < len(expected) < len(messages)
        for scale, shift in ((10.0, -7.9), (0.5, 0.3), (3.0, 0.0)):
            assert np.array_equal(matched(scale, shift, z), expected), (z, scale, shift)


@pytest.mark.usefixtures("shoppers")
def test_the_segment_form_counts_the_rule_live(admin_client: Client) -> None:
    answer = admin_client.post(COUNT, {"talks_about": GIFT, "talks_about_within_days": "30"}).json()

    assert (answer["ok"], answer["count"], answer["reachable"]) == (True, 1, 4)


@pytest.mark.usefixtures("shoppers", "store_down")
def test_while_the_store_is_down_the_count_is_unavailable_with_the_reason(admin_client: Client) -> None:
    answer = admin_client.post(COUNT, {"talks_about": GIFT}).json()
    plain = admin_client.post(COUNT, {"countries": []}).json()

    assert answer["ok"] is False
    assert answer["message"].startswith("Count unavailable.")
    assert "message search is down" in answer["message"]
    assert plain == {"ok": True, "count": 4, "reachable": 4}  # the other rules count on


@pytest.mark.usefixtures("shoppers")
def test_a_campaign_of_the_rule_waits_while_the_store_is_down_and_others_go_out(
    admin_client: Client, staff_client: APIClient, settings: Any
) -> None:
    # given: two due one-off campaigns, one of them for the customers who talk about gifts
    gifts = gifts_campaign()
    everyone = scheduled_campaign("Everyone")
    Campaign.objects.update(send_at=timezone.now() - timedelta(minutes=1))

    # when: the beat ticks while the store is down
    with unreachable_store(settings):
        started = campaigns_due_start()
        page = admin_client.get(reverse("admin:campaigns_campaign_change", args=[gifts.pk])).content.decode()

    # then: the other campaign starts, this one waits and its page says why
    assert [run.campaign_id for run in CampaignRun.objects.filter(pk__in=started)] == [everyone.pk]
    gifts.refresh_from_db()
    assert gifts.state == CampaignState.SCHEDULED
    assert not gifts.runs.exists()
    assert "message search is down" in gifts.waiting_for
    assert "message search is down" in page
    assert staff_client.get(f"/api/v1/campaigns/{gifts.pk}").json()["waiting_for"] == gifts.waiting_for

    # when: the store is back, the next tick starts it for the right customers
    campaigns_due_start()

    gifts.refresh_from_db()
    run = gifts.runs.get()
    assert (gifts.state, gifts.waiting_for, run.recipients) == (CampaignState.SENDING, "", 2)


@pytest.mark.usefixtures("shoppers", "store_down")
def test_send_now_refuses_with_the_reason_while_the_store_is_down(admin_client: Client) -> None:
    gifts = gifts_campaign()

    landed = admin_client.post(f"/admin/campaigns/campaign/{gifts.pk}/move/send_now/", follow=True)

    assert 'class="error"' in landed.content.decode()
    assert "message search is down" in landed.content.decode()
    assert not gifts.runs.exists()


@pytest.mark.usefixtures("shoppers", "store_down")
def test_a_recurring_tick_while_the_store_is_down_is_retried_and_creates_nothing() -> None:
    gifts = gifts_campaign()

    tick = start_campaign_run.apply(kwargs={"campaign_id": gifts.pk})  # retried at once when eager

    assert isinstance(tick.result, SegmentUnavailable)
    assert tick.traceback is not None
    assert not gifts.runs.exists()
    gifts.refresh_from_db()
    assert "message search is down" in gifts.waiting_for


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_segment_form_counts_the_rule_and_says_when_it_cannot(
    shoppers: Shoppers, live_server: object, settings: Any
) -> None:
    require_chromium()
    get_user_model().objects.create_superuser("admin", password=PASSWORD)
    screenshots = settings.VAR_DIR / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)

    with admin_page(live_server, "admin", PASSWORD, width=1400, height=1400) as page:
        page.goto(f"{live_server}/admin/campaigns/segment/add/")
        page.fill("#id_name", "Gifts for mothers")
        page.fill("#id_talks_about", GIFT)
        page.wait_for_function("document.getElementById('segment-count').textContent === '2'")
        counted = page.inner_text(".segment-count")
        page.screenshot(path=str(screenshots / "admin-segment-talks-about.png"), full_page=True)
        with unreachable_store(settings):
            page.fill("#id_talks_about", "late delivery")
            page.wait_for_function("document.getElementById('segment-count').textContent === '—'")
            unavailable = page.inner_text(".segment-count")

    assert "2 of 4 reachable customers" in " ".join(counted.split())
    assert "Count unavailable." in unavailable
    assert "message search is down" in unavailable
