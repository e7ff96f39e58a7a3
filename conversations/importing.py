"""Any log of customer messages as CSV: which column holds the customer, the text, the time,
and optionally the message's id and language. Each line is held to what the API accepts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from conversations.api.serializers import MessageInput, problems_of
from customers.importers.interactions import parse_time


@dataclass(frozen=True)
class MessageColumns:
    customer: str
    text: str
    time: str
    id: str | None = None
    language: str | None = None

    @property
    def columns(self) -> list[str]:
        """The columns read, in the order ``message_line`` takes them."""
        optional = (self.id, self.language)
        return [self.customer, self.text, self.time, *(name for name in optional if name)]


@dataclass(frozen=True)
class MessageLine:
    customer: str
    data: dict[str, Any]  # as ``MessageInput`` validated it


def message_line(fields: list[str], columns: MessageColumns, channel: str) -> MessageLine | str:
    """The line's message, or why it is refused (``field:code``, e.g. ``sent_at:time_in_future``).
    Without an id column, a message's id is a hash of its customer, time and text: importing the
    file again stores nothing twice."""
    values = dict(zip(columns.columns, fields, strict=True))
    customer = values[columns.customer].strip()
    if not customer:
        return "customer:missing"
    try:
        sent_at = parse_time(values[columns.time]).isoformat()
    except (ValueError, OverflowError, OSError):
        return "sent_at:invalid"
    text = values[columns.text]
    item = {
        "id": values[columns.id].strip() if columns.id else _content_id(customer, sent_at, text),
        "text": text,
        "channel": channel,
        "sent_at": sent_at,
    }
    if columns.language and values[columns.language].strip():
        item["language"] = values[columns.language].strip()
    message = MessageInput(data=item)
    if not message.is_valid():
        problem = problems_of(message)[0]
        return f"{problem['field']}:{problem['code']}"
    return MessageLine(customer=customer, data=message.validated_data)


def _content_id(customer: str, sent_at: str, text: str) -> str:
    digest = hashlib.blake2b("\x1f".join((customer, sent_at, text)).encode(), digest_size=12)
    return digest.hexdigest()
