"""Recording what recommendations were shown, where and by which strategy (``Impression``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from analytics.attribution_models import Channel, Impression
from recommendations.signals import Shown


def impressions_record(*, channel: Channel, shown: Sequence[Shown]) -> int:
    """One insert for every list shown. An email's products are recorded once per send (a
    retried render records nothing again); an API answer is recorded each time it is given."""
    now = timezone.now()
    rows = [
        Impression(
            customer_id=item.customer_id,
            product_id=product_id,
            channel=channel,
            strategy=strategy,
            position=position,
            shown_at=now,
            send_id=item.send_id,
        )
        for item in shown
        for position, (product_id, strategy) in enumerate(item.products, start=1)
    ]
    if channel == Channel.EMAIL:  # in the render batch's transaction
        Impression.objects.bulk_create(rows, ignore_conflicts=True)
        return len(rows)
    alone = not connection.in_atomic_block
    with transaction.atomic():
        if alone and connection.vendor == "postgresql":
            _commit_without_waiting()
        Impression.objects.bulk_create(rows)
    return len(rows)


def _commit_without_waiting() -> None:
    """An API answer's impressions are not worth a wait for the disk: PostgreSQL commits them
    without waiting for its log to be flushed (a crash may lose the last few; nothing else is
    in this transaction). That was three quarters of the insert's time."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def on_recommendations_shown(sender: Any, *, channel: str, shown: Sequence[Shown], **_: Any) -> None:
    impressions_record(channel=Channel(channel), shown=shown)
