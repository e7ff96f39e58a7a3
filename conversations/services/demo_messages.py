"""Messages for the demo. The Online Retail data has none, so the demo's customers are given a
few of Bitext's generated customer-support utterances (``demo/bitext/``, CDLA-Sharing 1.0; see
``demo/README.md``): which customer gets which, and when, is simulated by a fixed rule. They
are not those customers' words, and their channel and time are made up."""

from __future__ import annotations

import csv
import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings

from conversations.models import Channel
from conversations.services.recording import MessageRow, MessagesWritten, messages_record
from customers.ownership import acquisitions

DEMO_MESSAGES = Path(settings.BASE_DIR) / "demo" / "bitext" / "messages_sample.csv"
SOURCE = "demo"
MOST_PER_CUSTOMER = 3
CHANNELS = (Channel.EMAIL, Channel.CHAT, Channel.WEB)


def demo_messages_attach(customer_ids: Sequence[int], path: Path = DEMO_MESSAGES) -> MessagesWritten:
    """Give each customer one to three of the sample's messages, each sent a day after one of
    its orders; the same customers always get the same messages (a re-run stores nothing)."""
    with path.open(encoding="utf-8", newline="") as sample:
        texts = [(row["record"], row["instruction"]) for row in csv.DictReader(sample)]
    orders: dict[int, set[datetime]] = {pk: set() for pk in customer_ids}
    for row in acquisitions(customer_ids=customer_ids):
        orders[row.customer_id].add(row.moment)
    rows: list[MessageRow] = []
    for customer_id in sorted(customer_ids):
        moments = sorted(orders[customer_id])
        if not moments or not texts:
            continue
        seed = zlib.crc32(str(customer_id).encode())
        for n in range(1 + seed % MOST_PER_CUSTOMER):
            record, text = texts[(seed // MOST_PER_CUSTOMER + 7 * n) % len(texts)]
            rows.append(
                MessageRow(
                    customer_id=customer_id,
                    source=SOURCE,
                    message_id=f"bitext-{record}-customer-{customer_id}",
                    text=text,
                    channel=CHANNELS[(seed + n) % len(CHANNELS)],
                    sent_at=moments[(seed + 3 * n) % len(moments)] + timedelta(days=1),
                    campaign_id=None,
                    language="en",
                )
            )
    return messages_record(rows)
