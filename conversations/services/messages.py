"""Writes to one customer's messages: a batch from the API, a deletion."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from conversations.models import Channel, Message
from conversations.services.recording import MessageRow, MessagesWritten, messages_record
from customers.services.activity import interests_refresh_later


def messages_ingest(
    *, customer_id: int, source: str, messages: Sequence[Mapping[str, Any]]
) -> MessagesWritten:
    """Store a customer's validated messages (``MessageInput``) keyed by ``(source, id)``."""
    return messages_record(
        [
            MessageRow(
                customer_id=customer_id,
                source=source,
                message_id=item["id"],
                text=item["text"],
                channel=item.get("channel", Channel.OTHER),
                sent_at=item["sent_at"],
                campaign_id=item.get("campaign"),
                language=item.get("language", ""),
            )
            for item in messages
        ]
    )


@transaction.atomic
def messages_delete(*, ids: Sequence[int]) -> int:
    """Delete these messages (the API's and the admin's one way to); returns how many were.
    Their customers' interests are recomputed after commit."""
    messages = Message.objects.filter(pk__in=ids)
    interests_refresh_later(set(messages.values_list("customer_id", flat=True)))
    deleted, _ = messages.delete()
    return deleted
