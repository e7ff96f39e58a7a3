"""Noting, in the writer's transaction, which aggregate keys a change touches.

Every write path to the rows the aggregates summarise calls :func:`aggregate_changes_record`:
the purchase, event and message services, every service that stamps a send (several through
``QuerySet.update()``, which sends no signal), and the model signals for single-row saves and
deletes (``analytics.signals``). Noting a key is cheap; ``aggregates_refresh`` does the work.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone

from analytics.models import AggregateChange, ChangeKind


def aggregate_changes_record(
    *,
    moments: Iterable[datetime] = (),
    customer_ids: Iterable[int] = (),
    send_ids: Iterable[int] = (),
    campaign_days: Iterable[tuple[date, int]] = (),
) -> int:
    """Note the days of these ``moments``, these customers, these sends (whose stamps the
    refresh reads) and these ``(day, variant id)`` pairs as stale. Returns the rows written."""
    rows = [
        *(AggregateChange(kind=ChangeKind.DAY, day=day) for day in sorted({local_day(m) for m in moments})),
        *(AggregateChange(kind=ChangeKind.CUSTOMER, ref=pk) for pk in sorted(set(customer_ids))),
        *(AggregateChange(kind=ChangeKind.SEND, ref=pk) for pk in sorted(set(send_ids))),
        *(
            AggregateChange(kind=ChangeKind.CAMPAIGN_DAY, day=day, ref=variant)
            for day, variant in sorted(set(campaign_days))
        ),
    ]
    AggregateChange.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def local_day(moment: datetime) -> date:
    """The day a moment falls on, in ``settings.TIME_ZONE``: what every aggregate keys days by."""
    return timezone.localdate(moment)
