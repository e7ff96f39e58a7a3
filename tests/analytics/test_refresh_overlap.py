"""Two refreshes never overlap: the second waits for the first's lock, then applies what is left,
including what was noted while it waited."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction

from analytics.models import AggregateChange, DailyActivity
from analytics.services.refresh import RefreshCounts, aggregates_lock, aggregates_refresh
from tests.analytics.world import buy, reachable
from tests.factories import catalog
from tests.waiting import wait_for


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return bool(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_a_second_refresh_waits_for_the_first_then_applies_what_is_left() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite lets one writer in at a time by itself")
    # given: a change noted, and a refresh holding the lock
    product = catalog(["85123A"])["85123A"]
    ada = reachable("ada")
    buy(ada.pk, product, "1", day=0)
    holding, release = threading.Event(), threading.Event()
    second: dict[str, Any] = {}

    def first() -> None:
        with transaction.atomic():
            aggregates_lock()
            holding.set()
            release.wait(60)
        connections.close_all()

    def refresh() -> None:
        second["counts"] = aggregates_refresh()
        connections.close_all()

    holder = threading.Thread(target=first)
    holder.start()
    assert holding.wait(60)
    waiter = threading.Thread(target=refresh)
    waiter.start()

    # when: it waits, and another purchase is noted meanwhile
    assert wait_for(waiting_on_a_lock, 60)
    assert "counts" not in second
    buy(ada.pk, product, "2", day=1)
    release.set()
    holder.join()
    waiter.join()

    # then
    assert second["counts"] == RefreshCounts(changes=4, days=2, customers=1, campaign_days=0)
    assert DailyActivity.objects.count() == 2
    assert not AggregateChange.objects.exists()
