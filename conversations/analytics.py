"""What customers' messages add up to over a range of days: messages per day by channel, intents
over time, and the replies to each campaign by intent. Each is one grouped count over the
``sent_at`` index; days are those of the platform's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from django.db.models import Count, DateField, Max, QuerySet
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from conversations.models import Message

DEFAULT_DAYS = 90
WEEKLY_AFTER_DAYS = 31  # longer ranges count intents per week


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"


@dataclass(frozen=True)
class DateRange:
    """From ``first`` to ``last``, both days included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def period(self) -> Period:
        """How intents over time are counted: per day, per week in a long range."""
        return Period.WEEK if self.days > WEEKLY_AFTER_DAYS else Period.DAY

    def moments(self) -> tuple[datetime, datetime]:
        """The range as ``[start, end)`` moments: midnight of the first day, of the day after the last."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.first, time.min, tzinfo=zone),
            datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=zone),
        )

    def buckets(self, period: Period) -> list[date]:
        """The days of the range, or the Mondays of its weeks."""
        step = 7 if period == Period.WEEK else 1
        start = self.first - timedelta(days=self.first.weekday()) if period == Period.WEEK else self.first
        return [start + timedelta(days=n) for n in range(0, (self.last - start).days + 1, step)]


def messages_default_range(days: int = DEFAULT_DAYS) -> DateRange:
    """The ``days`` up to the latest message (never later than today), as recency is measured
    from where the data stops (``campaigns.selectors.recency_end``): in a live shop that is the
    last days; in data that stops, like the demo's in 2011, its last days."""
    latest = Message.objects.aggregate(latest=Max("sent_at"))["latest"]
    now = timezone.now()
    last = timezone.localdate(min(latest or now, now))
    return DateRange(last - timedelta(days=days - 1), last)


def _in_range(date_range: DateRange) -> QuerySet[Message]:
    start, end = date_range.moments()
    return Message.objects.filter(sent_at__gte=start, sent_at__lt=end).order_by()


# (the day or week, the channel / intent name / None for no intent) -> messages
Counts = dict[tuple[date, str | None], int]


def messages_per_day_by_channel(date_range: DateRange) -> Counts:
    rows = (
        _in_range(date_range)
        .annotate(day=TruncDate("sent_at"))
        .values("day", "channel")
        .annotate(messages=Count("pk"))
    )
    return {(row["day"], row["channel"]): row["messages"] for row in rows}


def message_intents_over_time(date_range: DateRange, period: Period) -> Counts:
    """Messages per day or week (its Monday) by intent name; ``None`` for messages with none."""
    trunc = TruncDate("sent_at") if period == Period.DAY else TruncWeek("sent_at", output_field=DateField())
    rows = (
        _in_range(date_range).annotate(bucket=trunc).values("bucket", "intent__name").annotate(n=Count("pk"))
    )
    return {(row["bucket"], row["intent__name"]): row["n"] for row in rows}


@dataclass(frozen=True)
class CampaignReplies:
    campaign_id: int
    campaign: str
    intent: str | None
    messages: int


def campaign_replies_by_intent(date_range: DateRange) -> list[CampaignReplies]:
    """The messages of the range that answer a campaign, per campaign and intent."""
    rows = (
        _in_range(date_range)
        .filter(campaign__isnull=False)
        .values("campaign_id", "campaign__name", "intent__name")
        .annotate(n=Count("pk"))
    )
    return [
        CampaignReplies(row["campaign_id"], row["campaign__name"], row["intent__name"], row["n"])
        for row in rows
    ]
