"""The incremental refresh: recompute the keys writers noted as stale, and nothing else.

One transaction per refresh, holding the lock of the ``AggregateRefresh`` row: a second
refresh waits for the first and then finds only what was noted since. The refresh removes
exactly the change rows it read (never a range of ids: a writer still in its transaction may
hold a lower one), so a change committed meanwhile stays for the next refresh. Recomputing a
key replaces its rows from the source rows, so applying a change twice is harmless. The
transaction is not durable: a caller may run a refresh inside its own (the bench rolls its
purchases and their refresh back together).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from analytics.models import (
    AggregateChange,
    AggregateRefresh,
    CampaignPerformance,
    ChangeKind,
    CustomerEngagement,
    DailyActivity,
    DailyRevenue,
    PurchaseMonth,
)
from analytics.recompute import STAMPS, campaign_performance, customer_engagement, daily_activity
from analytics.services.changes import local_day
from campaigns.models import Send
from marketing_platform.bulk import LOOKUP_CHUNK, chunked

REFRESH_BATCH = 50_000


@dataclass
class StaleKeys:
    days: set[date] = field(default_factory=set)
    customers: set[int] = field(default_factory=set)
    campaign_days: set[tuple[date, int]] = field(default_factory=set)  # (day, variant id)


@dataclass(frozen=True)
class RefreshCounts:
    changes: int = 0
    days: int = 0
    customers: int = 0
    campaign_days: int = 0


def aggregates_lock() -> AggregateRefresh:
    """Lock the refresh row (created the first time), inside the caller's transaction."""
    AggregateRefresh.objects.get_or_create(pk=1)
    return AggregateRefresh.objects.select_for_update().get(pk=1)


def aggregates_refresh(*, batch: int = REFRESH_BATCH) -> RefreshCounts:
    """Recompute every key noted in ``AggregateChange`` (the oldest ``batch`` notes: a backlog
    after a large import drains over a few refreshes, each inside its time limit) and remove
    those notes."""
    with transaction.atomic():
        state = aggregates_lock()
        noted = AggregateChange.objects.order_by("pk").values_list("pk", "kind", "day", "ref")
        changes = list(noted[:batch])
        keys = stale_keys(changes)
        aggregates_replace(keys)
        for ids in chunked([change[0] for change in changes], LOOKUP_CHUNK):
            AggregateChange.objects.filter(pk__in=ids).delete()
        state.refreshed_at, state.changes = timezone.now(), len(changes)
        state.save(update_fields=["refreshed_at", "changes"])
    return RefreshCounts(len(changes), len(keys.days), len(keys.customers), len(keys.campaign_days))


def stale_keys(changes: Sequence[tuple[int, int, date | None, int | None]]) -> StaleKeys:
    """The keys behind the noted changes; a send stands for its customer and each of its stamps'
    (day, variant), read now (a stamp, once set, is never moved)."""
    keys = StaleKeys()
    sends: set[int] = set()
    for _, kind, day, ref in changes:
        if kind == ChangeKind.DAY and day is not None:
            keys.days.add(day)
        elif kind == ChangeKind.CUSTOMER and ref is not None:
            keys.customers.add(ref)
        elif kind == ChangeKind.CAMPAIGN_DAY and day is not None and ref is not None:
            keys.campaign_days.add((day, ref))
        elif kind == ChangeKind.SEND and ref is not None:
            sends.add(ref)
    for ids in chunked(sorted(sends), LOOKUP_CHUNK):
        for customer_id, variant_id, *stamps in Send.objects.filter(pk__in=ids).values_list(
            "customer_id", "variant_id", *STAMPS
        ):
            keys.customers.add(customer_id)
            keys.campaign_days.update((local_day(at), variant_id) for at in stamps if at is not None)
    return keys


def aggregates_replace(keys: StaleKeys) -> None:
    """Replace the rows of these keys with what the source rows say now."""
    if keys.days:
        activity, revenue = daily_activity(keys.days)
        _replace(DailyActivity, Q(day__in=keys.days), activity)
        _replace(DailyRevenue, Q(day__in=keys.days), revenue)
    if keys.customers:
        engagement, months = customer_engagement(keys.customers)
        for ids in chunked(sorted(keys.customers), LOOKUP_CHUNK):
            CustomerEngagement.objects.filter(customer_id__in=ids).delete()
            PurchaseMonth.objects.filter(customer_id__in=ids).delete()
        CustomerEngagement.objects.bulk_create(engagement, batch_size=2000)
        PurchaseMonth.objects.bulk_create(months, batch_size=2000)
    if keys.campaign_days:
        _replace(
            CampaignPerformance, _campaign_days(keys.campaign_days), campaign_performance(keys.campaign_days)
        )


def _replace(model: type[Model], stale: Q, rows: Iterable[Any]) -> None:
    model._default_manager.filter(stale).delete()
    model._default_manager.bulk_create(rows, batch_size=2000)


def _campaign_days(keys: Collection[tuple[date, int]]) -> Q:
    days: dict[int, set[date]] = defaultdict(set)
    for day, variant in keys:
        days[variant].add(day)
    found = Q(pk__in=[])
    for variant, on in days.items():
        found |= Q(variant_id=variant, day__in=on)
    return found
