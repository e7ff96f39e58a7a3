"""Replies to campaign emails, through the sending ESP's inbound webhook (here Postmark's, through
anymail's real view), become the customer's messages linked to the campaign."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.models import CampaignRun, Send, SendStatus
from conversations.models import Message
from tests.conversations.conftest import People
from tests.factories import scheduled_campaign

SECRET = "hook-user:a-long-hook-password"
QUOTED = (
    "\n\nOn Mon, 30 Nov 2026 at 09:00, Shop <shop@example.com> wrote:\n> Our winter sale\n> starts today\n"
)


@pytest.fixture
def send(people: People, settings: Any) -> Send:
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}
    campaign = scheduled_campaign("Winter sale")
    run = CampaignRun.objects.create(campaign=campaign, occurrence="once")
    return Send.objects.create(
        run=run, customer=people.ada, variant=campaign.variants.get(), status=SendStatus.SENT,
        sent_at=timezone.now(), esp_message_id="4f6b2c1e-postmark",
    )  # fmt: skip


def reply(sender: str, *, headers: dict[str, str], text: str = "Do you have the red scarf in M?") -> int:
    payload = {
        "FromFull": {"Email": sender, "Name": "Ada"},
        "ToFull": [{"Email": "shop@example.com", "Name": ""}],
        "Subject": "Re: Winter sale",
        "MessageID": "postmark-inbound-uuid",
        "Date": "Mon, 30 Nov 2026 10:15:00 +0100",
        "TextBody": text + QUOTED,
        "Headers": [{"Name": name, "Value": value} for name, value in headers.items()],
    }
    auth = base64.b64encode(SECRET.encode()).decode()
    response = Client().post("/webhooks/anymail/postmark/inbound/", payload, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Basic {auth}")  # fmt: skip
    return response.status_code


def test_a_reply_to_a_campaign_email_is_a_message_about_that_campaign(send: Send) -> None:
    headers = {"Message-ID": "<reply-1@mail.example.com>", "In-Reply-To": send.message_id}

    statuses = [reply("ADA@example.com", headers=headers) for _ in range(2)]  # ESPs retry

    assert statuses == [200, 200]
    message = Message.objects.get()
    assert (message.customer_id, message.campaign_id) == (send.customer_id, send.run.campaign_id)
    assert (message.source, message.message_id, message.channel) == (
        "email",
        "<reply-1@mail.example.com>",
        "email",
    )
    assert message.text == "Do you have the red scarf in M?"  # without the quoted email
    assert message.sent_at.isoformat() == "2026-11-30T09:15:00+00:00"


def test_the_send_is_found_by_the_esps_message_id_in_the_references(send: Send) -> None:
    references = "<older@mail.example.com> <4f6b2c1e-postmark@mtasv.net> <4f6b2c1e-postmark>"
    headers = {"Message-ID": "<reply-2@mail.example.com>", "References": references}

    reply("ada@example.com", headers=headers)

    assert Message.objects.get().campaign_id == send.run.campaign_id


def test_an_email_from_a_customer_that_answers_no_send_is_a_message_without_a_campaign(send: Send) -> None:
    reply("ada@example.com", headers={"Message-ID": "<new@mail.example.com>", "In-Reply-To": "<unknown@x>"})

    message = Message.objects.get()
    assert message.campaign is None
    assert message.text == "Do you have the red scarf in M?"


def test_an_unknown_sender_is_ignored_with_a_log_line(send: Send, caplog: pytest.LogCaptureFixture) -> None:
    headers = {"Message-ID": "<spam@elsewhere.example>", "In-Reply-To": send.message_id}

    with caplog.at_level(logging.INFO, logger="conversations.services.inbound"):
        status = reply("stranger@elsewhere.example", headers=headers)

    assert status == 200
    assert not Message.objects.exists()
    assert "elsewhere.example" in caplog.text
    assert "stranger" not in caplog.text


def test_only_the_sending_esp_has_an_inbound_route(send: Send) -> None:
    other = Client().post("/webhooks/anymail/mailgun/inbound/", {}, content_type="application/json")
    unsigned = Client().post("/webhooks/anymail/postmark/inbound/", {}, content_type="application/json")

    assert (other.status_code, unsigned.status_code) == (404, 400)
