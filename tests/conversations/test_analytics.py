"""The grouped counts behind the conversations analytics: per day and channel, per day or week
and intent, per campaign and intent; the range's first and last days included, nothing of the
days around them; one query each, whatever the data."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from conversations.analytics import (
    CampaignReplies,
    DateRange,
    Period,
    campaign_replies_by_intent,
    message_intents_over_time,
    messages_default_range,
    messages_per_day_by_channel,
)
from tests.conversations.analytics_data import RANGE, messages_said
from tests.conversations.conftest import People

EMPTY = DateRange(date(2012, 1, 1), date(2012, 1, 31))


def test_messages_per_day_count_each_channel_within_the_range(people: People) -> None:
    messages_said(people)

    counts = messages_per_day_by_channel(RANGE)

    assert counts == {
        (date(2011, 12, 1), "chat"): 1,
        (date(2011, 12, 1), "email"): 1,
        (date(2011, 12, 2), "chat"): 1,
        (date(2011, 12, 5), "web"): 1,
    }


def test_intents_per_day_name_each_intent_and_none_for_messages_without_one(people: People) -> None:
    messages_said(people)

    counts = message_intents_over_time(RANGE, Period.DAY)

    assert counts == {
        (date(2011, 12, 1), "Order status"): 1,
        (date(2011, 12, 1), "Complaint"): 1,
        (date(2011, 12, 2), None): 1,
        (date(2011, 12, 5), "Order status"): 1,
    }


def test_intents_per_week_count_in_the_monday_of_each_week(people: People) -> None:
    messages_said(people)

    counts = message_intents_over_time(RANGE, Period.WEEK)

    monday, next_monday = date(2011, 11, 28), date(2011, 12, 5)
    assert counts == {
        (monday, "Order status"): 1,
        (monday, "Complaint"): 1,
        (monday, None): 1,
        (next_monday, "Order status"): 1,
    }


def test_replies_are_counted_per_campaign_and_intent(people: People) -> None:
    said = messages_said(people)

    replies = campaign_replies_by_intent(RANGE)

    assert sorted(replies, key=lambda r: (r.campaign, r.intent or "")) == [
        CampaignReplies(said.spring.pk, "Spring preview", "Order status", 1),
        CampaignReplies(said.winter.pk, "Winter sale", "Complaint", 1),
        CampaignReplies(said.winter.pk, "Winter sale", "Order status", 1),
    ]


def test_a_range_without_messages_counts_nothing(people: People) -> None:
    messages_said(people)

    assert messages_per_day_by_channel(EMPTY) == {}
    assert message_intents_over_time(EMPTY, Period.WEEK) == {}
    assert campaign_replies_by_intent(EMPTY) == []


@pytest.mark.parametrize(
    "count",
    [
        lambda r: messages_per_day_by_channel(r),
        lambda r: message_intents_over_time(r, Period.WEEK),
        lambda r: campaign_replies_by_intent(r),
    ],
)
def test_each_count_is_one_query(people: People, django_assert_num_queries: Any, count: Any) -> None:
    messages_said(people)

    with django_assert_num_queries(1):
        count(RANGE)


def test_the_default_range_is_the_90_days_up_to_the_latest_message(people: People) -> None:
    messages_said(people)  # the latest: 6 Dec 2011, midnight

    default = messages_default_range()

    assert default == DateRange(date(2011, 12, 6) - timedelta(days=89), date(2011, 12, 6))
    assert default.days == 90
    assert default.period == Period.WEEK


def test_without_messages_the_default_range_ends_today(db: None) -> None:
    assert messages_default_range().last == timezone.localdate()


def test_a_range_of_a_month_or_less_counts_intents_per_day_and_its_buckets_are_its_days() -> None:
    month = DateRange(date(2011, 12, 1), date(2011, 12, 31))

    assert month.period == Period.DAY
    assert month.buckets(Period.DAY)[0] == date(2011, 12, 1)
    assert len(month.buckets(Period.DAY)) == 31
    assert month.buckets(Period.WEEK) == [date(2011, 11, 28) + timedelta(weeks=n) for n in range(5)]
