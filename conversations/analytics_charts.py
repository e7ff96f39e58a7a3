"""The conversations analytics page's charts (``marketing_platform.charts``), from the grouped
counts of ``conversations.analytics``: three queries for the page and for its CSV."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from django.utils.formats import date_format

from conversations.analytics import (
    CampaignReplies,
    Counts,
    DateRange,
    Period,
    campaign_replies_by_intent,
    message_intents_over_time,
    messages_per_day_by_channel,
)
from conversations.models import Channel
from marketing_platform.charts import NEUTRAL, Chart, ChartKind, Palette

INTENTS_SHOWN = 7  # the range's commonest intents; the rest are summed as OTHER_INTENTS (8 colours)
CAMPAIGNS_SHOWN = 12  # the campaigns with the most replies; the rest are summed as OTHER_CAMPAIGNS
NO_INTENT = "No intent"
OTHER_INTENTS = "Other intents"
OTHER_CAMPAIGNS = "Other campaigns"
UNIT = "messages"
S = TypeVar("S", str, str | None)


def conversation_charts(date_range: DateRange) -> list[Chart]:
    """Messages per day by channel, intents over time, and the replies to campaigns by intent."""
    span = f"from {_day(date_range.first)} to {_day(date_range.last)}"
    period = date_range.period
    over_time = message_intents_over_time(date_range, period)
    replies = campaign_replies_by_intent(date_range)
    group = _intent_groups(_per_series(over_time))
    intents = Palette(fixed={NO_INTENT: NEUTRAL})
    over_time_chart = _intents_over_time(date_range, period, over_time, group, intents, span)
    order = [series.name for series in over_time_chart.series]
    return [
        _messages_per_day(date_range, span),
        over_time_chart,
        _campaign_replies(replies, group, order, intents, span),
    ]


def _messages_per_day(date_range: DateRange, span: str) -> Chart:
    counts = messages_per_day_by_channel(date_range)
    channels = Palette()
    for _, label in Channel.choices:  # a channel keeps its colour whichever channels a range has
        channels.colour(str(label))
    sent = {channel for _, channel in counts}
    present = [(value, str(label)) for value, label in Channel.choices if value in sent]
    days = date_range.buckets(Period.DAY)
    return Chart(
        key="messages-per-day",
        title="Messages per day, by channel",
        kind=ChartKind.STACKED,
        labels=[_day(day) for day in days],
        series=[
            channels.series(name, [counts.get((day, value), 0) for day in days]) for value, name in present
        ],
        label_title="Day",
        unit=UNIT,
        empty_text=f"No messages {span}.",
    )


def _intents_over_time(
    date_range: DateRange,
    period: Period,
    counts: Counts,
    group: Callable[[str | None], str],
    palette: Palette,
    span: str,
) -> Chart:
    buckets = date_range.buckets(period)
    grouped: Counter[tuple[date, str]] = Counter()
    for (bucket, intent), n in counts.items():
        grouped[bucket, group(intent)] += n
    names = _ordered(_per_series(grouped))
    weekly = period == Period.WEEK
    return Chart(
        key="intents-over-time",
        title=f"Intents {'per week' if weekly else 'per day'}",
        kind=ChartKind.STACKED,
        labels=[f"Week of {_day(bucket)}" if weekly else _day(bucket) for bucket in buckets],
        series=[palette.series(name, [grouped[bucket, name] for bucket in buckets]) for name in names],
        label_title="Week" if weekly else "Day",
        unit=UNIT,
        empty_text=f"No messages {span}.",
    )


def _campaign_replies(
    replies: list[CampaignReplies],
    group: Callable[[str | None], str],
    order: list[str],
    palette: Palette,
    span: str,
) -> Chart:
    """Per campaign, its replies' intents, in the order of the chart of intents over time (the
    range's messages, of which replies are some)."""
    per_campaign = Counter[int]()
    names: dict[int, str] = {}
    for reply in replies:
        per_campaign[reply.campaign_id] += reply.messages
        names[reply.campaign_id] = reply.campaign
    shown = [pk for pk, _ in sorted(per_campaign.items(), key=lambda item: (-item[1], names[item[0]]))]
    labels = [names[pk] for pk in shown[:CAMPAIGNS_SHOWN]] + (
        [OTHER_CAMPAIGNS] if shown[CAMPAIGNS_SHOWN:] else []
    )
    row = {pk: min(i, CAMPAIGNS_SHOWN) for i, pk in enumerate(shown)}
    grouped: Counter[tuple[int, str]] = Counter()
    for reply in replies:
        grouped[row[reply.campaign_id], group(reply.intent)] += reply.messages
    intents = [name for name in order if any(grouped[i, name] for i in range(len(labels)))]
    return Chart(
        key="campaign-replies",
        title="Replies to campaigns, by intent",
        kind=ChartKind.STACKED,
        labels=labels,
        series=[palette.series(name, [grouped[i, name] for i in range(len(labels))]) for name in intents],
        label_title="Campaign",
        unit=UNIT,
        empty_text=f"No replies to a campaign {span}.",
    )


def _intent_groups(totals: Counter[str | None]) -> Callable[[str | None], str]:
    """How an intent is shown: by its name if among the commonest, else as one of the others."""
    named = Counter({intent: n for intent, n in totals.items() if intent is not None})
    commonest = {
        intent for intent, _ in sorted(named.items(), key=lambda item: (-item[1], item[0]))[:INTENTS_SHOWN]
    }

    def group(intent: str | None) -> str:
        if intent is None:
            return NO_INTENT
        return intent if intent in commonest else OTHER_INTENTS

    return group


def _per_series(counts: Mapping[tuple[Any, S], int]) -> Counter[S]:
    """The counts of ``(label, series)`` summed per series."""
    totals: Counter[S] = Counter()
    for (_, series), n in counts.items():
        totals[series] += n
    return totals


def _ordered(totals: Counter[str]) -> list[str]:
    """Series names, the largest first; the others and the unclassified last."""
    last = (OTHER_INTENTS, NO_INTENT)
    named = sorted((name for name in totals if name not in last), key=lambda name: (-totals[name], name))
    return named + [name for name in last if name in totals]


def _day(day: date) -> str:
    return date_format(day, "j M Y")
