"""Recording what recommendations were shown, where and by which strategy (``Impression``)."""

from __future__ import annotations

import hashlib
from collections.abc import Container, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from analytics.attribution_models import Channel, Impression
from catalog.models import Product
from marketing_platform.cache import CacheUnavailable
from recommendations.signals import Shown


def impressions_record(*, channel: Channel, shown: Sequence[Shown]) -> int:
    """One insert for every list shown. An email's products are recorded once per send (a
    retried render records nothing again); an API answer once per customer and
    ``ANALYTICS_IMPRESSION_REPEAT_SECONDS``: the same answer asked for again sooner (a reload,
    or a client asking in a loop to swell the figures) is not shown anew."""
    now = timezone.now()
    if channel == Channel.EMAIL:  # in the render batch's transaction
        rows = _rows(channel, shown, now)
        Impression.objects.bulk_create(rows, ignore_conflicts=True)
        return len(rows)
    shown = [item for item in shown if _first_showing(item)]
    rows = _rows(channel, shown, now)
    if not rows:
        return 0
    try:
        _api_insert(rows)
    except IntegrityError:  # a product deleted since a cached answer named it: the rest is recorded
        known = set(
            Product.objects.filter(pk__in={row.product_id for row in rows}).values_list("pk", flat=True)
        )
        rows = _rows(channel, shown, now, known)
        _api_insert(rows)
    return len(rows)


def _rows(
    channel: Channel, shown: Sequence[Shown], now: datetime, products: Container[int] | None = None
) -> list[Impression]:
    """The impressions of the lists shown (of ``products`` only, when given)."""
    return [
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
        if products is None or product_id in products
    ]


def _first_showing(item: Shown) -> bool:
    """Whether this answer was not shown to this customer within the repeat period. Without the
    cache that cannot be told, and the showing counts."""
    answer = hashlib.blake2b(repr(item.products).encode(), digest_size=8).hexdigest()
    try:
        return cache.add(f"analytics:shown:{item.customer_id}:{answer}", 1,
                         settings.ANALYTICS_IMPRESSION_REPEAT_SECONDS)  # fmt: skip
    except CacheUnavailable:
        return True


def _api_insert(rows: list[Impression]) -> None:
    alone = not connection.in_atomic_block
    with transaction.atomic():
        if alone and connection.vendor == "postgresql":
            _commit_without_waiting()
        Impression.objects.bulk_create(rows)


def _commit_without_waiting() -> None:
    """An API answer's impressions are not worth a wait for the disk: PostgreSQL commits them
    without waiting for its log to be flushed (a crash may lose the last few; nothing else is
    in this transaction). That was three quarters of the insert's time."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def on_recommendations_shown(sender: Any, *, channel: str, shown: Sequence[Shown], **_: Any) -> None:
    impressions_record(channel=Channel(channel), shown=shown)
