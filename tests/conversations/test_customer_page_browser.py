"""A customer's messages on their page, as staff see it in headless Chromium: the latest ones
with their intents, the interests they revealed with the words, and the way to all of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from campaigns.models import Campaign, Segment
from conversations.models import Intent, Message
from conversations.services.messages import messages_ingest
from customers.models import Customer
from customers.services.interests import stale_interests_recompute
from tests.browser import admin_page, follow, require_chromium
from tests.factories import catalog
from tests.support import PASSWORD

SAID = {
    "m0": "Hi! My order W1001 has not arrived yet, it was due on Friday. Can you tell me where it is?",
    "m1": "The paper chain kit for Christmas was lovely, do you have more christmas decorations?",
    "m2": "The T-light holder came broken and nobody answers my emails. This is not acceptable.",
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_see_a_customers_latest_messages_and_what_they_revealed(live_server: object) -> None:
    require_chromium()
    # given a customer's messages, the latest a complaint about a campaign, and their interests
    catalog(["85123A", "22086", "21212"])
    ada = Customer.objects.create(external_id="ada-1", name="Ada Lovelace", email="ada@example.com")
    campaign = Campaign.objects.create(name="Winter sale", segment=Segment.objects.create(name="all"))
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    messages_ingest(
        customer_id=ada.pk,
        source="shop-chat",
        messages=[
            {"id": key, "text": text, "sent_at": start + timedelta(days=day), "channel": "web"}
            for day, (key, text) in enumerate(SAID.items())
        ],
    )
    complaint = Intent.objects.create(name="Complaint", slug="complaint", holds_promotions=True)
    Message.objects.filter(message_id="m2").update(
        intent=complaint, intent_confidence=0.91, intent_by="classifier", campaign=campaign
    )
    stale_interests_recompute()
    get_user_model().objects.create_superuser("admin", password=PASSWORD)
    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)

    # when staff open the customer, then all of their messages
    with admin_page(live_server, "admin", PASSWORD, width=1400, height=1000) as page:
        page.goto(f"{live_server}/admin/customers/customer/{ada.pk}/change/")
        latest = page.inner_text(".recent-messages tbody tr:first-child")
        rows = page.locator(".recent-messages tbody tr").count()
        body = page.inner_text("#content")
        evidence = page.locator("#interests-group td.field-interest_evidence").all_inner_texts()
        page.locator(".recent-messages").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "admin-customer-messages.png"), full_page=True)
        follow(page, "a:text('All 3 messages of this customer')")
        listed = page.locator("#result_list tbody tr").count()

    # then
    assert rows == 3
    assert "Complaint (0.91)" in latest
    assert "Winter sale" in latest
    assert "The T-light holder came broken" in latest
    assert "Inferred from messages" in body
    assert "Seasonal › Christmas" in body
    assert any(text.count("Christmas") == 1 for text in evidence)  # the words, said once
    assert listed == 3
