"""The admin analytics page's figures over a range of days, compared with the days just before:
daily activity and revenue, the campaigns' emails, the recommendation strategies, RFM segments
and cohort retention. A fixed number of grouped queries, whatever the range or the shop's size;
the page and its CSV read the same ``Overview``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format

from analytics.attribution_models import Channel
from analytics.attribution_selectors import StrategyFigures, strategy_performance
from analytics.rfm import RfmSegment
from analytics.selectors import (
    DayFigures,
    EmailDay,
    Period,
    activity_latest_day,
    cohort_retention,
    daily_activity_compare,
    email_performance_per_day,
    rfm_segment_counts,
)
from conversations.analytics import DEFAULT_DAYS, DateRange
from marketing_platform.charts import Chart, ChartKind, Figures, Number, Palette

COHORT_MONTHS = 24  # the cohorts of the two years up to the range's end
THIS, BEFORE = "This period", "Previous period"
EMAIL_SERIES = ("sent", "delivered", "opened", "clicked", "unsubscribed", "bounced", "converted")


def analytics_default_range(days: int = DEFAULT_DAYS) -> DateRange:
    """The ``days`` up to the latest day with activity (never after today): where the data stops."""
    today = timezone.localdate()
    last = min(activity_latest_day() or today, today)
    return DateRange(last - timedelta(days=days - 1), last)


@dataclass(frozen=True)
class FigureTable:
    """Figures shown as a table rather than a chart (``rows``: a label and one value per column;
    ``None`` where there is none)."""

    key: str
    title: str
    label_title: str
    columns: list[str]
    rows: list[tuple[str, list[Number | None]]]
    empty_text: str = "Nothing to show."

    def figures(self) -> Iterator[tuple[str, str, Number]]:
        for label, values in self.rows:
            for column, value in zip(self.columns, values, strict=True):
                if value is not None:
                    yield label, column, value


@dataclass(frozen=True)
class Total:
    name: str
    current: Number
    previous: Number

    @property
    def change(self) -> float | None:
        """In %, None when the previous period had none."""
        if not self.previous:
            return None
        return round((float(self.current) - float(self.previous)) / float(self.previous) * 100, 1)


@dataclass(frozen=True)
class Totals:
    key: str = "totals"
    title: str = "Totals"
    rows: list[Total] = field(default_factory=list)

    def figures(self) -> Iterator[tuple[str, str, Number]]:
        for total in self.rows:
            yield total.name, THIS, total.current
            yield total.name, BEFORE, total.previous
            if total.change is not None:
                yield total.name, "Change (%)", total.change


@dataclass(frozen=True)
class Overview:
    date_range: DateRange
    previous: DateRange
    totals: Totals
    activity: list[Chart]
    emails: list[Chart]
    strategies: list[Chart]
    strategy_table: FigureTable
    segments: Chart
    segment_keys: list[tuple[str, str, int]]  # each RFM segment's name, filter value and size
    cohorts: FigureTable

    @property
    def parts(self) -> list[Figures]:
        """Everything the page shows, in its order: what the CSV holds."""
        return [
            self.totals,
            *self.activity,
            *self.emails,
            *self.strategies,
            self.strategy_table,
            self.segments,
            self.cohorts,
        ]


def analytics_overview(date_range: DateRange) -> Overview:
    comparison = daily_activity_compare(since=date_range.first, until=date_range.last)
    current, previous = comparison.current, comparison.previous
    before = DateRange(previous.since, previous.until)
    email_days = email_performance_per_day(since=before.first, until=date_range.last)
    emails_before, emails_now = email_days[: before.days], email_days[before.days :]
    per_channel = {
        channel: strategy_performance(since=date_range.first, until=date_range.last, channel=channel)
        for channel in Channel
    }
    strategies_before = strategy_performance(since=before.first, until=before.last)
    segment_counts = rfm_segment_counts()
    return Overview(
        date_range=date_range,
        previous=before,
        totals=Totals(
            rows=[
                *_activity_totals(current, previous),
                *_email_totals(emails_now, emails_before),
                *_strategy_totals([f for found in per_channel.values() for f in found], strategies_before),
            ]
        ),
        activity=_activity_charts(current, previous),
        emails=_email_charts(emails_now),
        strategies=_strategy_charts(per_channel),
        strategy_table=_strategy_table(per_channel),
        segments=_segments_chart(segment_counts),
        segment_keys=[(segment.value, segment.name.lower(), n) for segment, n in segment_counts.items()],
        cohorts=_cohort_table(date_range.last),
    )


def _currencies(*periods: Period) -> list[str]:
    """The currencies with revenue, the shop's own first."""
    found = {currency for period in periods for currency in period.revenue}
    return sorted(found, key=lambda currency: (currency != settings.DEFAULT_CURRENCY, currency))


def _activity_totals(current: Period, previous: Period) -> list[Total]:
    now, then = current.totals, previous.totals
    return [
        Total(
            "Active customers, mean per day", current.mean_active_customers, previous.mean_active_customers
        ),
        Total("Orders", now["orders"], then["orders"]),
        *(
            Total(
                f"Revenue, {currency}",
                _money(current.revenue.get(currency)),
                _money(previous.revenue.get(currency)),
            )
            for currency in _currencies(current, previous)
        ),
    ]


def _email_totals(now: Sequence[EmailDay], then: Sequence[EmailDay]) -> list[Total]:
    def total(name: str, days: Sequence[EmailDay]) -> Number:
        return sum(getattr(day, name) for day in days)

    counts = [Total(f"Emails {name}", total(name, now), total(name, then)) for name in EMAIL_SERIES]
    revenue = Total(
        "Revenue attributed to emails",
        _money(sum((day.revenue for day in now), Decimal(0))),
        _money(sum((day.revenue for day in then), Decimal(0))),
    )
    return [*counts, revenue]


def _strategy_totals(now: list[StrategyFigures], then: list[StrategyFigures]) -> list[Total]:
    return [
        Total("Recommended products shown", sum(f.shown for f in now), sum(f.shown for f in then)),
        Total("Recommended products bought", sum(f.bought for f in now), sum(f.bought for f in then)),
        Total(
            "Revenue attributed to recommendations",
            _money(sum((f.revenue for f in now), Decimal(0))),
            _money(sum((f.revenue for f in then), Decimal(0))),
        ),
    ]


def _activity_charts(current: Period, previous: Period) -> list[Chart]:
    """Each day of the period beside the same day of the period before (its n-th day)."""
    labels = [_day(figures.day) for figures in current.days]

    def compared(key: str, title: str, unit: str, value: Callable[[DayFigures], Number]) -> Chart:
        periods = Palette()
        return Chart(
            key=key,
            title=title,
            kind=ChartKind.LINE,
            labels=labels,
            series=[
                periods.series(THIS, [value(day) for day in current.days]),
                periods.series(f"{BEFORE}, its n-th day", [value(day) for day in previous.days]),
            ],
            label_title="Day",
            unit=unit,
            empty_text=f"No {unit} in this period or the one before.",
            summed=False,
        )

    def revenue(currency: str) -> Chart:
        return compared(f"revenue-{currency.lower()}", f"Revenue per day, {currency}", currency,
                        lambda day: _money(day.revenue.get(currency)))  # fmt: skip

    active = compared(
        "active-customers", "Active customers per day", "customers", lambda day: day.active_customers
    )
    orders = compared("orders", "Orders per day", "orders", lambda day: day.orders)
    return [active, orders, *map(revenue, _currencies(current, previous) or [settings.DEFAULT_CURRENCY])]


def _email_charts(days: Sequence[EmailDay]) -> list[Chart]:
    none_sent = "No campaign has been sent in this period."
    kinds = Palette()
    labels = [_day(day.day) for day in days]
    return [
        Chart(
            key="emails",
            title="Campaign emails per day",
            kind=ChartKind.LINE,
            labels=labels,
            series=[
                kinds.series(name.capitalize(), [getattr(day, name) for day in days]) for name in EMAIL_SERIES
            ],
            label_title="Day",
            unit="emails",
            empty_text=none_sent,
            summed=False,
        ),
        Chart(
            key="email-revenue",
            title="Revenue attributed to emails per day",
            kind=ChartKind.BAR,
            labels=labels,
            series=[kinds.series("Attributed revenue", [_money(day.revenue) for day in days])],
            label_title="Day",
            unit=settings.DEFAULT_CURRENCY,
            empty_text="No purchase in this period followed a click in a campaign email.",
        ),
    ]


def _strategy_names(per_channel: dict[Channel, list[StrategyFigures]]) -> list[str]:
    """Strategies by attributed revenue over both channels, then by purchases."""
    revenue: dict[str, Decimal] = {}
    bought: dict[str, int] = {}
    for found in per_channel.values():
        for f in found:
            revenue[f.strategy] = revenue.get(f.strategy, Decimal(0)) + f.revenue
            bought[f.strategy] = bought.get(f.strategy, 0) + f.bought
    return sorted(revenue, key=lambda name: (-revenue[name], -bought[name], name))


def _strategy_charts(per_channel: dict[Channel, list[StrategyFigures]]) -> list[Chart]:
    names = _strategy_names(per_channel)
    channels = Palette()
    by_name = {channel: {f.strategy: f for f in found} for channel, found in per_channel.items()}
    empty = (
        "No recommended product was bought in this period."
        if names
        else "No recommendation was shown in this period."
    )

    def chart(
        key: str, title: str, kind: ChartKind, unit: str, value: Callable[[StrategyFigures], Number]
    ) -> Chart:
        series = [
            channels.series(
                channel.label, [value(by_name[channel][n]) if n in by_name[channel] else 0 for n in names]
            )
            for channel in Channel
        ]
        return Chart(key=key, title=title, kind=kind, labels=names, series=series, label_title="Strategy",
                     unit=unit, empty_text=empty, summed=kind == ChartKind.STACKED)  # fmt: skip

    return [
        chart("strategy-revenue", "Revenue attributed per recommendation strategy", ChartKind.STACKED,
              settings.DEFAULT_CURRENCY, lambda f: _money(f.revenue)),
        chart("strategy-conversion", "Conversion rate per recommendation strategy (purchases per 100 shown)",
              ChartKind.BAR, "%", lambda f: round(f.conversion_rate * 100, 2)),
    ]  # fmt: skip


def _strategy_table(per_channel: dict[Channel, list[StrategyFigures]]) -> FigureTable:
    rows: list[tuple[str, list[Number | None]]] = [
        (
            f"{f.strategy} ({channel.label})",
            [f.shown, f.clicked, f.bought, _money(f.revenue), round(f.conversion_rate * 100, 2)],
        )
        for channel, found in per_channel.items()
        for f in found
    ]
    return FigureTable(
        key="strategies",
        title="Recommendation strategies per channel",
        label_title="Strategy (channel)",
        columns=[
            "Shown",
            "Clicked",
            "Bought",
            f"Revenue ({settings.DEFAULT_CURRENCY})",
            "Conversion rate (%)",
        ],
        rows=rows,
        empty_text="No recommendation was shown in this period.",
    )


def _segments_chart(counts: dict[RfmSegment, int]) -> Chart:
    return Chart(
        key="rfm-segments",
        title="RFM segments: customers with a purchase, scored against each other",
        kind=ChartKind.BAR,
        labels=[segment.value for segment in counts],
        series=[Palette().series("Customers", list(counts.values()))],
        label_title="Segment",
        unit="customers",
        empty_text="No customer has bought anything yet.",
    )


def _cohort_table(until: date) -> FigureTable:
    months_back = until.year * 12 + until.month - 1 - (COHORT_MONTHS - 1)
    since = date(months_back // 12, months_back % 12 + 1, 1)
    cohorts = cohort_retention(since=since, until=until)
    months = max((len(cohort.retained) for cohort in cohorts), default=0)
    rows: list[tuple[str, list[Number | None]]] = [
        (
            date_format(cohort.month, "M Y"),
            [
                cohort.customers,
                *(round(share * 100, 1) for share in cohort.retained),
                *([None] * (months - len(cohort.retained))),
            ],
        )
        for cohort in cohorts
    ]
    return FigureTable(
        key="cohorts",
        title="Cohort retention: share of each first-purchase month's customers buying n months later (%)",
        label_title="First purchase",
        columns=["Customers", *(f"+{n}" for n in range(1, months + 1))],
        rows=rows,
        empty_text="No customer has bought anything up to the end of this period.",
    )


def _money(amount: Decimal | None) -> float:
    return float(round(amount or Decimal(0), 2))


def _day(day: date) -> str:
    return date_format(day, "j M Y")
