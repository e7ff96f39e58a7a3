"""The customer's page in the admin shows their latest messages, with a link to all of them."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from django.test import Client
from model_bakery import baker

from campaigns.models import Campaign
from conversations.models import Intent, Message
from conversations.services.messages import messages_ingest
from tests.conversations.conftest import People

FIRST = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def page(client: Client, customer_id: int) -> str:
    return client.get(f"/admin/customers/customer/{customer_id}/change/").content.decode()


def test_the_latest_ten_messages_with_intent_campaign_and_excerpt_and_a_link_to_all(
    admin_client: Client, people: People
) -> None:
    # given: twelve messages of Ada's, the latest a long complaint about a campaign; one of Bob's
    campaign = baker.make(Campaign, name="Winter sale")
    complaint = baker.make(Intent, name="Complaint", slug="complaint")
    texts = [f"Message number {n}" for n in range(11)] + ["The lamp never came. " * 10]
    messages_ingest(
        customer_id=people.ada.pk,
        source="chat",
        messages=[
            {"id": f"m{n}", "text": text, "sent_at": FIRST + timedelta(days=n), "channel": "email"}
            for n, text in enumerate(texts)
        ],
    )
    Message.objects.filter(message_id="m11").update(
        intent=complaint, intent_confidence=0.87, campaign=campaign
    )
    messages_ingest(
        customer_id=people.bob.pk,
        source="chat",
        messages=[{"id": "b", "text": "Bob's words", "sent_at": FIRST}],
    )
    # when
    shown = page(admin_client, people.ada.pk)
    # then
    section = shown[shown.index('class="recent-messages"') :]
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", section)
    assert len(rows) == 10
    assert rows[0] == ("12 Nov 2026, 09:00", "Email", "Complaint (0.87)", "Winter sale")
    assert rows[-1][0] == "3 Nov 2026, 09:00"  # the two oldest are left out
    assert rows[1][2:] == ("—", "—")
    assert f"{'The lamp never came. ' * 4}The l…<" in section
    assert "Message number 0<" not in section
    link = re.search(r'<a href="([^"]+)">All 12 messages of this customer</a>', section)
    assert link
    listed = admin_client.get(html.unescape(link.group(1))).content.decode()
    assert "Message number 5" in listed
    assert "Bob&#x27;s words" not in listed
    assert "Bob&#x27;s words" in admin_client.get("/admin/conversations/message/").content.decode()


def test_a_customer_without_messages_says_so(admin_client: Client, people: People) -> None:
    assert "No messages yet." in page(admin_client, people.bob.pk)
