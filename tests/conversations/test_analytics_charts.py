"""The conversations analytics page's charts: each day of the range, the channels that wrote,
the commonest intents by name and the rest together, the campaigns with the most replies, and
an intent in the same colour in both charts of intents."""

from __future__ import annotations

from datetime import date, timedelta

from campaigns.models import Campaign, Segment
from conversations.analytics import DateRange
from conversations.analytics_charts import (
    CAMPAIGNS_SHOWN,
    INTENTS_SHOWN,
    NO_INTENT,
    OTHER_CAMPAIGNS,
    OTHER_INTENTS,
    conversation_charts,
)
from conversations.models import Intent, Message
from conversations.services.recording import MessageRow, messages_record
from marketing_platform.charts import NEUTRAL, Chart, ChartKind
from tests.conversations.analytics_data import RANGE, at, messages_said
from tests.conversations.conftest import People


def figures(chart: Chart) -> dict[str, list[int | float]]:
    return {series.name: series.values for series in chart.series}


def test_the_three_charts_of_a_short_range_count_per_day(people: People) -> None:
    messages_said(people)

    per_day, intents, campaigns = conversation_charts(RANGE)

    days = ["1 Dec 2011", "2 Dec 2011", "3 Dec 2011", "4 Dec 2011", "5 Dec 2011"]
    assert (per_day.kind, per_day.labels) == (ChartKind.STACKED, days)
    assert figures(per_day) == {
        "Email": [1, 0, 0, 0, 0],
        "Chat": [1, 1, 0, 0, 0],
        "Web form": [0, 0, 0, 0, 1],
    }
    assert (intents.kind, intents.title, intents.labels) == (ChartKind.STACKED, "Intents per day", days)
    assert figures(intents) == {
        "Order status": [1, 0, 0, 0, 1],
        "Complaint": [1, 0, 0, 0, 0],
        NO_INTENT: [0, 1, 0, 0, 0],
    }
    assert campaigns.labels == ["Winter sale", "Spring preview"]
    assert figures(campaigns) == {"Order status": [1, 1], "Complaint": [1, 0]}


def test_an_intent_has_one_colour_on_the_page_and_no_intent_is_grey(people: People) -> None:
    messages_said(people)

    _, intents, campaigns = conversation_charts(RANGE)

    over_time = {series.name: series.colour for series in intents.series}
    assert all(over_time[series.name] == series.colour for series in campaigns.series)
    assert over_time[NO_INTENT] == NEUTRAL
    assert len(set(over_time.values())) == len(over_time)


def test_a_long_range_counts_intents_per_week(people: People) -> None:
    messages_said(people)

    _, intents, _ = conversation_charts(DateRange(date(2011, 11, 1), date(2011, 12, 31)))

    assert intents.title == "Intents per week"
    assert intents.labels[:2] == ["Week of 31 Oct 2011", "Week of 7 Nov 2011"]
    week = intents.labels.index("Week of 28 Nov 2011")
    assert {name: values[week] for name, values in figures(intents).items()} == {
        "Order status": 1,
        "Praise": 1,  # 30 Nov
        "Complaint": 1,
        NO_INTENT: 1,
    }


def test_beyond_the_commonest_intents_and_campaigns_the_rest_are_summed(people: People) -> None:
    # given more intents and campaigns than a chart names, the first with the most messages
    segment = Segment.objects.create(name="all")
    count = max(INTENTS_SHOWN, CAMPAIGNS_SHOWN) + 2
    intents = [Intent.objects.create(name=f"Intent {n:02}", slug=f"intent-{n}") for n in range(count)]
    campaigns = [Campaign.objects.create(name=f"Campaign {n:02}", segment=segment) for n in range(count)]
    rows = [
        MessageRow(
            people.ada.pk, "api", f"{n}-{i}", "Hello", "chat", at(1) + timedelta(minutes=i), campaign.pk, ""
        )
        for n, campaign in enumerate(campaigns)
        for i in range(count - n)
    ]
    messages_record(rows)
    for n, intent in enumerate(intents):
        Message.objects.filter(message_id__startswith=f"{n}-").update(intent=intent)

    # when
    _, over_time, replies = conversation_charts(RANGE)

    # then
    named = [f"Intent {n:02}" for n in range(INTENTS_SHOWN)]
    assert [series.name for series in over_time.series] == [*named, OTHER_INTENTS]
    assert over_time.total == len(rows)
    assert replies.labels == [f"Campaign {n:02}" for n in range(CAMPAIGNS_SHOWN)] + [OTHER_CAMPAIGNS]
    assert replies.rows[-1][2] == sum(count - n for n in range(CAMPAIGNS_SHOWN, count))


def test_intents_are_ordered_by_their_messages_over_the_whole_range(people: People) -> None:
    # given an intent said once on each of three days, another twice on one day
    steady = Intent.objects.create(name="Steady", slug="steady")
    burst = Intent.objects.create(name="Burst", slug="burst")
    said = [("s1", at(1), steady), ("s2", at(2), steady), ("s3", at(3), steady), ("b1", at(4), burst),
            ("b2", at(4, 1), burst)]  # fmt: skip
    messages_record([MessageRow(people.ada.pk, "api", k, "Hi", "chat", t, None, "") for k, t, _ in said])
    for key, _, intent in said:
        Message.objects.filter(message_id=key).update(intent=intent)

    _, intents, _ = conversation_charts(RANGE)

    assert [(series.name, series.total) for series in intents.series] == [("Steady", 3), ("Burst", 2)]


def test_an_empty_range_says_so_in_every_chart(people: People) -> None:
    messages_said(people)

    charts = conversation_charts(DateRange(date(2012, 1, 1), date(2012, 1, 7)))

    assert all(chart.empty for chart in charts)
    assert charts[0].empty_text == "No messages from 1 Jan 2012 to 7 Jan 2012."
    assert charts[2].empty_text == "No replies to a campaign from 1 Jan 2012 to 7 Jan 2012."
