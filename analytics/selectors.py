"""Reads of the analytics aggregates, for the admin's analytics page and the API."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Case, Count, F, FloatField, IntegerField, Q, QuerySet, Sum, Value, When, Window
from django.db.models.functions import Cast, Floor, Least, PercentRank

from analytics.attribution_models import CampaignConversions
from analytics.errors import InvalidPeriod
from analytics.models import (
    AggregateRefresh,
    CampaignPerformance,
    CustomerEngagement,
    DailyActivity,
    DailyRevenue,
    PurchaseMonth,
)
from analytics.rfm import GRID, RfmSegment, quintile, rfm_segment

MAX_PERIOD_DAYS = 3660  # ten years, day by day
# Counts of a day that add up over a period (active customers do not: one customer is active
# on many days).
ADDITIVE = ("orders", "events", "messages")


@dataclass
class DayFigures:
    day: date
    active_customers: int = 0
    orders: int = 0
    events: int = 0
    messages: int = 0
    revenue: dict[str, Decimal] = field(default_factory=dict)  # currency → net revenue


@dataclass
class Period:
    since: date
    until: date  # inclusive
    days: list[DayFigures]  # every day of the period, those without activity at zero

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(getattr(day, name) for day in self.days) for name in ADDITIVE}

    @property
    def revenue(self) -> dict[str, Decimal]:
        found: dict[str, Decimal] = defaultdict(Decimal)
        for day in self.days:
            for currency, amount in day.revenue.items():
                found[currency] += amount
        return dict(sorted(found.items()))

    @property
    def mean_active_customers(self) -> float:
        return sum(day.active_customers for day in self.days) / len(self.days)


@dataclass(frozen=True)
class ActivityComparison:
    current: Period
    previous: Period  # the same number of days, just before


def aggregates_rebuilt_at() -> datetime | None:
    """When the aggregates were last built from scratch (None: never, on this database)."""
    return AggregateRefresh.objects.filter(pk=1).values_list("rebuilt_at", flat=True).first()


def period_length(*, since: date, until: date) -> int:
    """The days from ``since`` to ``until``, both included; ``InvalidPeriod`` unless 1 to
    ``MAX_PERIOD_DAYS``."""
    length = (until - since).days + 1
    if length < 1:
        raise InvalidPeriod(f"The period ends ({until}) before it starts ({since}).")
    if length > MAX_PERIOD_DAYS:
        raise InvalidPeriod(f"A period is at most {MAX_PERIOD_DAYS:,} days; this one has {length:,}.")
    return length


def daily_activity_compare(*, since: date, until: date) -> ActivityComparison:
    """Daily activity from ``since`` to ``until`` (inclusive) and over the period of the same
    length just before it, for comparison."""
    length = period_length(since=since, until=until)
    try:
        before = since - timedelta(days=length)
    except OverflowError:
        raise InvalidPeriod(f"No period of {length:,} days comes before {since}.") from None
    days = _days(before, until)
    return ActivityComparison(
        current=Period(since, until, [days[since + timedelta(days=n)] for n in range(length)]),
        previous=Period(
            before, since - timedelta(days=1), [days[before + timedelta(days=n)] for n in range(length)]
        ),
    )


def _days(since: date, until: date) -> dict[date, DayFigures]:
    found = {
        since + timedelta(days=n): DayFigures(since + timedelta(days=n))
        for n in range((until - since).days + 1)
    }
    for row in DailyActivity.objects.filter(day__range=(since, until)):
        figures = found[row.day]
        figures.active_customers, figures.orders = row.active_customers, row.orders
        figures.events, figures.messages = row.events, row.messages
    for day, currency, revenue in DailyRevenue.objects.filter(day__range=(since, until)).values_list(
        "day", "currency", "revenue"
    ):
        found[day].revenue[currency] = revenue
    return found


def campaign_performance_over_time(*, campaign_id: int) -> QuerySet[CampaignPerformance]:
    """One campaign's figures per day and variant, oldest first (the variant's label joined)."""
    return (
        CampaignPerformance.objects.filter(campaign_id=campaign_id)
        .select_related("variant")
        .order_by("day", "variant__label")
    )


def _score(column: str) -> Least:
    """``min(5, 1 + floor(5 × percent_rank))`` over the buyers, as ``rfm.quintile``."""
    rank = Window(PercentRank(), order_by=F(column).asc())
    floor = Cast(Floor(rank * Value(5.0, output_field=FloatField())), IntegerField())
    return Least(floor + Value(1), Value(5))


def _segment_case() -> Case:
    return Case(*(When(Q(r__in=list(r), f__in=list(f)), then=Value(segment.value)) for r, f, segment in GRID))


def rfm_scores() -> QuerySet[CustomerEngagement]:
    """Every customer with a purchase, with ``r``, ``f``, ``m`` (1 to 5) and ``segment``."""
    return (
        CustomerEngagement.objects.filter(last_purchase_at__isnull=False)
        .annotate(r=_score("last_purchase_at"), f=_score("orders"), m=_score("monetary"))
        .annotate(segment=_segment_case())
    )


def rfm_segment_counts() -> dict[RfmSegment, int]:
    """How many customers each segment holds (every segment named, empty ones at zero)."""
    segments = rfm_scores().values_list("segment", flat=True)  # type: ignore[misc]  # rfm_scores annotates it
    found = Counter(RfmSegment(segment) for segment in segments)
    return {segment: found[segment] for segment in RfmSegment}


def rfm_segment_members(segment: RfmSegment) -> QuerySet[CustomerEngagement]:
    """The segment's customers with their scores, the most valuable first."""
    return (
        rfm_scores()
        .filter(segment=segment.value)  # type: ignore[misc]  # rfm_scores annotates it
        .select_related("customer")
        .order_by("-monetary", "customer_id")
    )


@dataclass(frozen=True)
class CustomerRfm:
    r: int
    f: int
    m: int
    segment: RfmSegment


@dataclass(frozen=True)
class CustomerEngagementFigures:
    engagement: CustomerEngagement
    rfm: CustomerRfm | None  # None without a purchase


def customer_engagement_get(*, customer_id: int) -> CustomerEngagementFigures | None:
    """One customer's engagement and RFM scores (counted against every buyer, as ``rfm_scores``)."""
    engagement = CustomerEngagement.objects.filter(customer_id=customer_id).first()
    if engagement is None:
        return None
    if engagement.last_purchase_at is None:
        return CustomerEngagementFigures(engagement, None)
    below = CustomerEngagement.objects.filter(last_purchase_at__isnull=False).aggregate(
        buyers=Count("pk"),
        r=Count("pk", filter=Q(last_purchase_at__lt=engagement.last_purchase_at)),
        f=Count("pk", filter=Q(orders__lt=engagement.orders)),
        m=Count("pk", filter=Q(monetary__lt=engagement.monetary)),
    )
    r, f, m = (quintile(below[name], below["buyers"]) for name in ("r", "f", "m"))
    return CustomerEngagementFigures(engagement, CustomerRfm(r, f, m, rfm_segment(r, f)))


@dataclass(frozen=True)
class Cohort:
    month: date  # the first day of the month of its customers' first purchase
    customers: int
    retained: list[float]  # share of the cohort buying in month +1, +2, … (up to the last month known)


def cohort_retention(*, since: date | None = None, until: date | None = None) -> list[Cohort]:
    """Cohorts by first-purchase month (from ``since`` to ``until`` when given), oldest first,
    with the share of each that bought again in each later month."""
    rows = PurchaseMonth.objects.all()
    if since is not None:
        rows = rows.filter(cohort__gte=since.replace(day=1))
    if until is not None:
        rows = rows.filter(cohort__lte=until)
    counts: dict[date, dict[int, int]] = defaultdict(dict)
    latest: date | None = None  # the last month anyone bought in: how far each cohort is known
    for cohort, month, buyers in (
        rows.values("cohort", "month").annotate(n=Count("customer_id")).values_list("cohort", "month", "n")
    ):
        counts[cohort][_months_between(cohort, month)] = buyers
        latest = month if latest is None else max(latest, month)
    cohorts = []
    for cohort in sorted(counts):
        size = counts[cohort].get(0, 0)
        known = _months_between(cohort, latest) if latest is not None else 0
        retained = [counts[cohort].get(offset, 0) / size if size else 0.0 for offset in range(1, known + 1)]
        cohorts.append(Cohort(cohort, size, retained))
    return cohorts


def _months_between(first: date, later: date) -> int:
    return (later.year - first.year) * 12 + later.month - first.month


def activity_latest_day() -> date | None:
    """The last day with any activity counted (None before the first)."""
    return DailyActivity.objects.order_by("-day").values_list("day", flat=True).first()


@dataclass(kw_only=True)
class EmailFigures:
    """What campaign emails did: their events, and the purchases attributed to them."""

    sent: int = 0
    delivered: int = 0
    opened: int = 0
    clicked: int = 0
    unsubscribed: int = 0
    bounced: int = 0
    complained: int = 0
    converted: int = 0  # attributed purchases
    revenue: Decimal = field(default_factory=Decimal)  # attributed revenue


@dataclass
class EmailDay(EmailFigures):
    """What the campaigns' emails did on one day, over every campaign and variant."""

    day: date

    @property
    def empty(self) -> bool:
        return not (self.sent or self.delivered or self.opened or self.clicked or self.converted)


# What campaign performance counts of a variant's emails each day (``CampaignPerformance``).
EMAIL_COUNTS = ("sent", "delivered", "opened", "clicked", "unsubscribed", "bounced", "complained")


def email_performance_per_day(*, since: date, until: date) -> list[EmailDay]:
    """Every day from ``since`` to ``until`` (inclusive), those without email at zero: the
    campaigns' email events and their attributed purchases. Two grouped queries."""
    days = {
        since + timedelta(days=n): EmailDay(since + timedelta(days=n))
        for n in range((until - since).days + 1)
    }
    counted = (
        CampaignPerformance.objects.filter(day__range=(since, until))
        .values("day")
        .annotate(**{f"{name}_": Sum(name) for name in EMAIL_COUNTS})
        .order_by()
    )
    for row in counted:
        for name in EMAIL_COUNTS:
            setattr(days[row["day"]], name, row[f"{name}_"])
    converted = (
        CampaignConversions.objects.filter(day__range=(since, until))
        .values("day")
        .annotate(converted_=Sum("converted"), revenue_=Sum("revenue"))
        .order_by()
    )
    for row in converted:
        days[row["day"]].converted, days[row["day"]].revenue = row["converted_"], Decimal(row["revenue_"])
    return list(days.values())
