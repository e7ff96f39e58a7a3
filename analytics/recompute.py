"""What the aggregate tables should hold, computed from the source rows: for some keys (a refresh)
or for all of them (``None``: a rebuild, a verification). Returns unsaved rows; nothing here
writes.

Reads of a set of days filter each source on its indexed moment, one range per run of
consecutive days, so the work follows the keys asked for, not the size of the history.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from analytics.models import (
    CampaignPerformance,
    CustomerEngagement,
    DailyActivity,
    DailyRevenue,
    PurchaseMonth,
)
from analytics.services.changes import local_day
from campaigns.models import Send
from conversations.models import Message
from customers.models import InteractionEvent, Purchase
from customers.ownership import Acquisition, acquisitions
from marketing_platform.bulk import LOOKUP_CHUNK, chunked

Days = Collection[date] | None
# A send's stamps, each counted on its own day, and the column of ``CampaignPerformance`` it fills.
STAMPS = {
    "sent_at": "sent",
    "delivered_at": "delivered",
    "opened_at": "opened",
    "clicked_at": "clicked",
    "unsubscribed_at": "unsubscribed",
    "bounced_at": "bounced",
    "complained_at": "complained",
}
# Each source of daily activity, with where it keeps its moment.
PURCHASES: tuple[type[Any], str] = (Purchase, "purchased_at")
EVENTS: tuple[type[Any], str] = (InteractionEvent, "occurred_at")
MESSAGES: tuple[type[Any], str] = (Message, "sent_at")


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def day_runs(days: Collection[date]) -> list[tuple[datetime, datetime]]:
    """Runs of consecutive days as ``[since, before)`` moments."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return [(day_start(first), day_start(last + timedelta(days=1))) for first, last in runs]


def on_days(moment: str, days: Days) -> Q:
    """Rows whose ``moment`` falls on one of ``days`` (every row for ``None``)."""
    if days is None:
        return Q()
    found = Q(pk__in=[])
    for since, before in day_runs(days):
        found |= Q(**{f"{moment}__gte": since, f"{moment}__lt": before})
    return found


def _per_day(rows: QuerySet[Any], moment: str, days: Days) -> QuerySet[Any]:
    return rows.filter(on_days(moment, days)).annotate(day=TruncDate(moment)).order_by()


def _acquisitions_on(days: Days) -> Iterator[Acquisition]:
    if days is None:
        yield from acquisitions()
        return
    for since, before in day_runs(days):
        yield from acquisitions(since=since, before=before)


def daily_activity(days: Days) -> tuple[list[DailyActivity], list[DailyRevenue]]:
    """Each day's activity row and revenue rows (one per currency), for ``days`` or all."""
    active: set[tuple[date, int]] = set()
    for model, moment in (PURCHASES, EVENTS, MESSAGES):
        active.update(
            _per_day(model.objects.all(), moment, days).values_list("day", "customer_id").distinct()
        )
    counted: dict[str, Counter[date]] = {"active_customers": Counter(day for day, _ in active)}
    for name, (model, moment) in (("events", EVENTS), ("messages", MESSAGES)):
        rows = _per_day(model.objects.all(), moment, days).values("day").annotate(n=Count("pk"))
        counted[name] = Counter({row["day"]: row["n"] for row in rows})
    orders = {(local_day(row.moment), row.customer_id, row.order) for row in _acquisitions_on(days)}
    counted["orders"] = Counter(day for day, _, _ in orders)
    every_day = sorted(set().union(*counted.values()))
    activity = [
        DailyActivity(day=day, **{name: counts[day] for name, counts in counted.items()}) for day in every_day
    ]
    revenue = [
        DailyRevenue(day=row["day"], currency=row["currency"], revenue=row["revenue"])
        for row in _per_day(Purchase.objects.all(), PURCHASES[1], days)
        .values("day", "currency")
        .annotate(revenue=Sum("amount"))
        .order_by("day", "currency")
    ]
    return activity, revenue


# Sends with a stamp engagement counts.
EMAILED = (
    Q(sent_at__isnull=False)
    | Q(delivered_at__isnull=False)
    | Q(opened_at__isnull=False)
    | Q(clicked_at__isnull=False)
)


def _month(moment: datetime) -> date:
    return local_day(moment).replace(day=1)


@dataclass
class _Buyer:
    first: datetime | None = None
    last: datetime | None = None
    orders: set[str] = field(default_factory=set)
    months: set[date] = field(default_factory=set)

    def add(self, row: Acquisition) -> None:
        self.first = row.moment if self.first is None else min(self.first, row.moment)
        self.last = row.moment if self.last is None else max(self.last, row.moment)
        self.orders.add(row.order)
        self.months.add(_month(row.moment))


def _customer_chunks(customer_ids: Collection[int] | None) -> Iterator[list[int] | None]:
    if customer_ids is None:
        yield None
        return
    yield from chunked(sorted(set(customer_ids)), LOOKUP_CHUNK)


def _of_customers(rows: QuerySet[Any], ids: list[int] | None) -> QuerySet[Any]:
    return rows if ids is None else rows.filter(customer_id__in=ids)


def customer_engagement(
    customer_ids: Collection[int] | None,
) -> tuple[list[CustomerEngagement], list[PurchaseMonth]]:
    """Each customer's engagement row (for those with a purchase line or a stamped send) and the
    months they bought in, for ``customer_ids`` or all."""
    engagement: list[CustomerEngagement] = []
    months: list[PurchaseMonth] = []
    for ids in _customer_chunks(customer_ids):
        rows, bought = _engagement_of(ids)
        engagement += rows
        months += bought
    return engagement, months


def _engagement_of(ids: list[int] | None) -> tuple[list[CustomerEngagement], list[PurchaseMonth]]:
    buyers: dict[int, _Buyer] = defaultdict(_Buyer)
    for row in acquisitions(customer_ids=ids):
        buyers[row.customer_id].add(row)
    spent = dict(
        _of_customers(Purchase.objects.all(), ids)
        .filter(currency=settings.DEFAULT_CURRENCY)
        .values("customer_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("customer_id", "total")
    )
    emails = {
        row["customer_id"]: row
        for row in _of_customers(Send.objects.all(), ids)
        .filter(EMAILED)
        .values("customer_id")
        .annotate(
            emails_sent=Count("sent_at"),
            emails_delivered=Count("delivered_at"),
            emails_opened=Count("opened_at"),
            emails_clicked=Count("clicked_at"),
            last_opened_at=Max("opened_at"),
            last_clicked_at=Max("clicked_at"),
        )
        .order_by()
    }
    rows: list[CustomerEngagement] = []
    months: list[PurchaseMonth] = []
    for customer_id in sorted({*buyers, *spent, *emails}):
        buyer = buyers.get(customer_id, _Buyer())
        email = {name: value for name, value in emails.get(customer_id, {}).items() if name != "customer_id"}
        rows.append(
            CustomerEngagement(
                customer_id=customer_id,
                first_purchase_at=buyer.first,
                last_purchase_at=buyer.last,
                orders=len(buyer.orders),
                monetary=spent.get(customer_id) or Decimal(0),
                **email,
            )
        )
        if buyer.first is not None:
            cohort = _month(buyer.first)
            months += [PurchaseMonth(customer_id=customer_id, month=m, cohort=cohort) for m in buyer.months]
    return rows, months


CampaignDays = Collection[tuple[date, int]] | None  # (day, variant id)


def campaign_performance(keys: CampaignDays) -> list[CampaignPerformance]:
    """Each (day, variant) row with a stamp that day, for ``keys`` or all."""
    counts: dict[tuple[date, int, int], Counter[str]] = defaultdict(Counter)
    for ids, days in _variant_chunks(keys):
        sends = Send.objects.all() if ids is None else Send.objects.filter(variant_id__in=ids)
        for stamp, column in STAMPS.items():
            stamped = (
                _per_day(sends.filter(**{f"{stamp}__isnull": False}), stamp, days)
                .values("day", "variant_id", "variant__campaign_id")
                .annotate(n=Count("pk"))
            )
            for row in stamped:
                counts[(row["day"], row["variant__campaign_id"], row["variant_id"])][column] = row["n"]
    wanted = None if keys is None else set(keys)
    return [
        CampaignPerformance(day=day, campaign_id=campaign, variant_id=variant, **columns)
        for (day, campaign, variant), columns in sorted(counts.items())
        if wanted is None or (day, variant) in wanted
    ]


def _variant_chunks(keys: CampaignDays) -> Iterator[tuple[list[int] | None, set[date] | None]]:
    """Variants a query at a time, with the days asked for any of them (``None``: all)."""
    if keys is None:
        yield None, None
        return
    days: dict[int, set[date]] = defaultdict(set)
    for day, variant in keys:
        days[variant].add(day)
    for ids in chunked(sorted(days), LOOKUP_CHUNK):
        yield ids, set().union(*(days[variant] for variant in ids))
