"""Rebuilding from scratch and verifying: the commands staff run, and the beat task."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError

from analytics.models import AggregateChange, CustomerEngagement, DailyActivity
from analytics.services.recovery import aggregates_rebuild, aggregates_verify
from analytics.services.refresh import aggregates_refresh
from analytics.tasks import refresh_aggregates
from tests.analytics.world import DAY0, buy, reachable, say
from tests.factories import catalog


@pytest.fixture
def refreshed(db: None) -> list[int]:
    product = catalog(["85123A"])["85123A"]
    customers = [reachable(name).pk for name in ("ada", "bob")]
    for index, customer in enumerate(customers):
        buy(customer, product, f"line-{index}", day=index)
    say(customers[0], "m1", day=1)
    aggregates_refresh()
    return customers


def test_verify_names_each_difference_and_exits_1(refreshed: list[int]) -> None:
    DailyActivity.objects.filter(day=DAY0).update(orders=7)
    CustomerEngagement.objects.filter(customer_id=refreshed[1]).delete()

    report = aggregates_verify()
    out = StringIO()
    with pytest.raises(CommandError, match="analytics_rebuild"):
        call_command("analytics_verify", stdout=out)

    drifted = {table.table: table for table in report.tables if table.drifted}
    assert set(drifted) == {"daily activity", "customer engagement"}
    assert drifted["customer engagement"].missing == [(refreshed[1],)]
    assert "daily activity 2011-12-01: orders 7 → 1" in out.getvalue()


def test_a_rebuild_mends_drift_and_takes_in_pending_changes(refreshed: list[int]) -> None:
    DailyActivity.objects.all().delete()
    say(refreshed[1], "m2", day=5)  # noted, not refreshed

    counts = aggregates_rebuild()

    assert counts.changes == 1
    assert counts.rows["daily activity"] == 3
    assert not AggregateChange.objects.exists()
    out = StringIO()
    call_command("analytics_verify", stdout=out)
    assert "The aggregates match their sources." in out.getvalue()


def test_the_rebuild_command_shows_what_it_wrote(refreshed: list[int]) -> None:
    out = StringIO()

    call_command("analytics_rebuild", stdout=out)

    assert "daily activity" in out.getvalue()
    assert "Rebuilt in" in out.getvalue()


def test_beat_refreshes_what_changed(refreshed: list[int]) -> None:
    say(refreshed[1], "m2", day=5)

    assert refresh_aggregates.run() == 1
    assert refresh_aggregates.run() == 0
    entry = django_settings.CELERY_BEAT_SCHEDULE["refresh-analytics-aggregates"]
    assert entry["task"] == "analytics.tasks.refresh_aggregates"


def test_the_release_step_builds_once(refreshed: list[int]) -> None:
    first, second = StringIO(), StringIO()

    call_command("analytics_rebuild", "--if-never-built", stdout=first)
    call_command("analytics_rebuild", "--if-never-built", stdout=second)

    assert "Rebuilt in" in first.getvalue()
    assert "the refresh keeps them" in second.getvalue()


def test_a_backlog_drains_a_batch_at_a_time(refreshed: list[int]) -> None:
    for day in range(3):
        say(refreshed[1], f"late-{day}", day=10 + day)

    assert [aggregates_refresh(batch=2).changes for _ in range(3)] == [2, 1, 0]
    assert not aggregates_verify().drifted
