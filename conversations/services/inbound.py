"""Emails customers send us (replies to campaigns, mostly) as their messages."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, datetime

from anymail.inbound import AnymailInboundMessage
from django.utils import timezone
from inscriptis import get_text
from mailparser_reply import EmailReplyParser

from campaigns.selectors import send_replied_to
from conversations.models import Channel, Message
from conversations.services.recording import MessageRow, messages_record
from customers.selectors import customer_with_email
from marketing_platform.ranges import moment_out_of_range

logger = logging.getLogger(__name__)
SOURCE = "email"
MESSAGE_ID_MAX = Message._meta.get_field("message_id").max_length or 255
# The quoted-reply markers of these languages are recognised (mail-parser-reply).
REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl", "sv", "da", "pt"]
HEADER_IDS = re.compile(r"<[^<>\s]+>")


def inbound_email_record(email: AnymailInboundMessage) -> Message | None:
    """Store the email as a message of the customer who sent it: its text without the quoted
    email it answers, keyed by its Message-ID (a replayed webhook stores nothing new), linked to
    the campaign whose send it replies to (its In-Reply-To or References). Mail from an address
    no customer has, or with nothing to read, is ignored with a log line."""
    sender = email.from_email.addr_spec if email.from_email else ""
    customer = customer_with_email(sender) if sender else None
    if customer is None:
        logger.info("Inbound email from %s ignored: no customer has that address", _domain(sender))
        return None
    text = _reply_text(email)
    if not text:
        logger.info("Inbound email from customer %s ignored: it says nothing", customer.pk)
        return None
    send = send_replied_to(_replied_ids(email))
    row = MessageRow(
        customer_id=customer.pk,
        source=SOURCE,
        message_id=_message_id(email, sender, text),
        text=text,
        channel=Channel.EMAIL,
        sent_at=_sent_at(email),
        campaign_id=send.run.campaign_id if send else None,
        language="",
    )
    refused = messages_record([row]).refused
    if refused:
        logger.warning("Inbound email from customer %s not stored: %s", customer.pk, refused[0].message)
        return None
    return Message.objects.get(source=SOURCE, message_id=row.message_id)


def _sent_at(email: AnymailInboundMessage) -> datetime:
    """The email's Date (without a zone: UTC); now when it has none we could believe."""
    sent_at = email.date
    if sent_at is None:
        return timezone.now()
    sent_at = sent_at if sent_at.tzinfo else sent_at.replace(tzinfo=UTC)
    return timezone.now() if moment_out_of_range(sent_at) else sent_at


def _reply_text(email: AnymailInboundMessage) -> str:
    """The new part of the email: its text (or its HTML as text) less the quoted original."""
    body = email.text or (get_text(email.html) if email.html else "")
    return str(EmailReplyParser(languages=REPLY_LANGUAGES).parse_reply(text=body)).strip()


def _replied_ids(email: AnymailInboundMessage) -> list[str]:
    """The Message-IDs the email answers, the one it replies to directly first."""
    references = HEADER_IDS.findall(email.get("References", ""))
    return [*HEADER_IDS.findall(email.get("In-Reply-To", "")), *reversed(references)]


def _message_id(email: AnymailInboundMessage, sender: str, text: str) -> str:
    """The email's Message-ID; without one (or one too long to store), a hash of what it is."""
    given = str(email.get("Message-ID", "")).strip()
    if given and len(given) <= MESSAGE_ID_MAX:
        return given
    seed = given or f"{sender}\x1f{email.get('Date', '')}\x1f{text}"
    return "sha:" + hashlib.blake2b(seed.encode(), digest_size=20).hexdigest()


def _domain(address: str) -> str:
    """Enough of an address to tell where mail came from, without logging whose it is."""
    return address.rpartition("@")[2] or "an unreadable address"
