"""A real SMTP server in the test process (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support import free_port


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage


@dataclass
class Sink:
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append(Received(list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def message_ids(self) -> dict[str, set[str]]:
        """Each recipient's distinct Message-IDs: a message sent again with the same Message-ID
        (after a worker died between the server's "250" and its "sent" mark) counts once, as
        receivers count it."""
        ids: dict[str, set[str]] = defaultdict(set)
        for received in self.received:
            for address in received.recipients:
                ids[address].add(received.message["Message-ID"])
        return dict(ids)

    def copies(self) -> int:
        """How many messages arrived again with a Message-ID their recipient already had."""
        return sum(len(got.recipients) for got in self.received) - sum(map(len, self.message_ids().values()))


def start_smtp_server() -> tuple[Controller, Sink]:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, sink
