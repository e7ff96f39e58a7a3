"""Recording what recommendations were shown, where and by which strategy (``Impression``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
    Impression.objects.bulk_create(rows, ignore_conflicts=channel == Channel.EMAIL)
    return len(rows)


def on_recommendations_shown(sender: Any, *, channel: str, shown: Sequence[Shown], **_: Any) -> None:
    impressions_record(channel=Channel(channel), shown=shown)
