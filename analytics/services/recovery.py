"""Rebuilding the aggregates from scratch, and verifying them against a from-scratch recomputation."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from analytics.models import (
    AggregateChange,
    CampaignPerformance,
    CustomerEngagement,
    DailyActivity,
    DailyRevenue,
    PurchaseMonth,
)
from analytics.recompute import campaign_performance, customer_engagement, daily_activity
from analytics.services.refresh import aggregates_lock
from customers.services.retail_import import Progress, SilentProgress
from marketing_platform.bulk import LOOKUP_CHUNK, chunked

WRITE_BATCH = 5000


@dataclass(frozen=True)
class Table:
    """One aggregate table and its natural key."""

    name: str
    model: type[Model]
    key: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.attname for f in self.model._meta.concrete_fields if f.attname != "id")

    def values(self, row: Any) -> tuple[Any, ...]:
        return tuple(getattr(row, name) for name in self.columns)

    def keyed(self, row: Any) -> tuple[Any, ...]:
        return tuple(getattr(row, name) for name in self.key)


# Each from-scratch computation, and the tables it fills (in the order it returns their rows).
COMPUTATIONS: list[tuple[Callable[[], tuple[Sequence[Any], ...]], tuple[Table, ...]]] = [
    (lambda: daily_activity(None),
     (Table("daily activity", DailyActivity, ("day",)),
      Table("daily revenue", DailyRevenue, ("day", "currency")))),
    (lambda: customer_engagement(None),
     (Table("customer engagement", CustomerEngagement, ("customer_id",)),
      Table("purchase months", PurchaseMonth, ("customer_id", "month")))),
    (lambda: (campaign_performance(None),),
     (Table("campaign performance", CampaignPerformance, ("day", "campaign_id", "variant_id")),)),
]  # fmt: skip


def _computed(progress: Progress) -> Iterator[tuple[Table, Sequence[Any]]]:
    for compute, tables in COMPUTATIONS:
        progress.begin(f"computing {' and '.join(table.name for table in tables)}", None)
        yield from zip(tables, compute(), strict=True)


@dataclass(frozen=True)
class RebuildCounts:
    rows: dict[str, int]
    changes: int


def aggregates_rebuild(*, progress: Progress | None = None) -> RebuildCounts:
    """Replace every aggregate table with a from-scratch computation, in one transaction, and
    drop the changes noted before it started (it includes them)."""
    progress = progress or SilentProgress()
    rows: dict[str, int] = {}
    with transaction.atomic():
        state = aggregates_lock()
        noted = list(AggregateChange.objects.values_list("pk", flat=True))
        for table, computed in _computed(progress):
            progress.begin(f"writing {table.name}", len(computed))
            table.model._default_manager.all().delete()
            for batch in chunked(computed, WRITE_BATCH):
                table.model._default_manager.bulk_create(batch)
                progress.advance(len(batch))
            rows[table.name] = len(computed)
        for ids in chunked(noted, LOOKUP_CHUNK):
            AggregateChange.objects.filter(pk__in=ids).delete()
        state.rebuilt_at = state.refreshed_at = timezone.now()
        state.save(update_fields=["rebuilt_at", "refreshed_at"])
    return RebuildCounts(rows=rows, changes=len(noted))


@dataclass
class TableDrift:
    table: str
    columns: tuple[str, ...]  # what each tuple of values holds
    expected: int
    found: int
    missing: list[tuple[Any, ...]] = field(default_factory=list)  # keys computed, not stored
    extra: list[tuple[Any, ...]] = field(default_factory=list)  # keys stored, not computed
    differing: list[tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]] = field(
        default_factory=list
    )  # (key, stored values, computed values)

    @property
    def drifted(self) -> bool:
        return bool(self.missing or self.extra or self.differing)


@dataclass(frozen=True)
class VerifyReport:
    tables: list[TableDrift]
    pending: int  # changes noted and not refreshed yet: their keys may differ until the next refresh

    @property
    def drifted(self) -> bool:
        return any(table.drifted for table in self.tables)


def aggregates_verify() -> VerifyReport:
    """Compare every table with a from-scratch recomputation (the refresh lock held, so no
    refresh changes the tables meanwhile)."""
    drifts = []
    with transaction.atomic():
        aggregates_lock()
        pending = AggregateChange.objects.count()
        for table, rows in _computed(SilentProgress()):
            computed = {table.keyed(row): table.values(row) for row in rows}
            stored = {table.keyed(row): table.values(row) for row in table.model._default_manager.all()}
            drift = TableDrift(table.name, table.columns, expected=len(computed), found=len(stored))
            drift.missing = sorted(set(computed) - set(stored))
            drift.extra = sorted(set(stored) - set(computed))
            drift.differing = [
                (key, stored[key], computed[key])
                for key in sorted(set(computed) & set(stored))
                if stored[key] != computed[key]
            ]
            drifts.append(drift)
    return VerifyReport(tables=drifts, pending=pending)
