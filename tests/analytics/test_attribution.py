"""Attribution's rules, through the refresh: windows, ties, at most once, events and sale lines,
late imports and re-runs."""

from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection, transaction

from analytics import attribution_refresh as attribution_refresh_module
from analytics.attribution_models import AttributionWatermark, Channel, Conversion, Touch
from analytics.attribution_refresh import RefreshCounts, attribution_rebuild, attribution_refresh
from analytics.tasks import refresh_attribution
from customers.services.activity import PurchaseRow, purchases_record
from tests.analytics.attribution_world import PRICE, T0, World, credited, figures, world

WINDOW = timedelta(days=7)
LINE = PRICE * 2  # a sale line's revenue (two of a product)


@pytest.fixture
def shop(db: None, django_capture_on_commit_callbacks: Any, settings: Any) -> World:
    settings.ANALYTICS_ATTRIBUTION_WINDOW_DAYS = 7
    built = world(django_capture_on_commit_callbacks)
    built.show_in_email(0, [(0, "model"), (1, "graph:bought_together")])
    return built


@pytest.mark.parametrize(
    ("after_click", "attributed"),
    [
        (WINDOW, True),  # just inside: the window's last instant
        (WINDOW + timedelta(microseconds=1), False),  # just outside
        (timedelta(0), True),  # the same instant as the click
        (-timedelta(microseconds=1), False),  # before the click
    ],
)
def test_a_purchase_is_credited_within_the_window_after_the_click(
    shop: World, after_click: timedelta, attributed: bool
) -> None:
    shop.click_in_email(0, 0, T0)
    shop.buy(0, 0, T0 + after_click)

    attribution_refresh()

    expected = [(shop.products[0], "email", "model", shop.sends[0].pk, T0 + after_click, LINE)]
    assert credited() == (expected if attributed else [])


def test_the_strategy_credited_is_the_one_that_showed_the_purchased_product(shop: World) -> None:
    # given: a click on the first product; the second bought (shown by the graph), and the third (not shown)
    shop.click_in_email(0, 0, T0)
    shop.buy(0, 1, T0 + timedelta(hours=1))
    shop.buy(0, 2, T0 + timedelta(hours=2))

    attribution_refresh()

    assert [(row[0], row[2]) for row in credited()] == sorted(
        [(shop.products[1], "graph:bought_together"), (shop.products[2], "")]  # "": campaign only
    )
    strategies, campaigns = figures()
    day = T0.date()
    assert (day, "email", "graph:bought_together", 1, 0, 1, LINE) in strategies
    assert (day, "email", "model", 1, 1, 0, Decimal(0)) in strategies
    assert campaigns == [(day, shop.sends[0].run.campaign_id, shop.sends[0].variant_id, 2, 2 * LINE)]


def test_of_several_clicks_the_latest_before_the_purchase_wins(shop: World) -> None:
    shop.show_by_api(0, 1, "trending", T0)
    shop.click_in_email(0, 0, T0 + timedelta(hours=1))
    shop.click(0, 1, T0 + timedelta(hours=2))  # the latest before the purchase: the API's
    shop.click_in_email(0, 1, T0 + timedelta(hours=4))  # after the purchase

    shop.buy(0, 1, T0 + timedelta(hours=3))
    attribution_refresh()

    assert [row[1:3] for row in credited()] == [("api", "trending")]


def test_of_two_clicks_at_one_instant_the_one_recorded_last_wins(shop: World) -> None:
    shop.show_by_api(0, 0, "popular", T0 - timedelta(hours=1))
    shop.click_in_email(0, 0, T0)
    shop.click(0, 0, T0)

    shop.buy(0, 0, T0 + timedelta(hours=1))
    attribution_refresh()

    assert [row[1:3] for row in credited()] == [("api", "popular")]


def test_an_api_click_earns_only_a_purchase_of_the_product_shown_and_clicked(shop: World) -> None:
    shop.show_by_api(2, 0, "content", T0)
    shop.click(2, 0, T0 + timedelta(minutes=5))
    shop.click(2, 1, T0 + timedelta(minutes=5))  # never shown by the API: no touch

    shop.buy(2, 1, T0 + timedelta(hours=1))
    shop.buy(2, 0, T0 + timedelta(hours=2))
    attribution_refresh()

    assert [row[:3] for row in credited()] == [(shop.products[0], "api", "content")]
    assert Touch.objects.count() == 1
    strategies, _ = figures()
    assert [row for row in strategies if row[1] == "api"] == [(T0.date(), "api", "content", 1, 1, 1, LINE)]


def test_an_api_click_long_after_the_showing_is_not_the_strategys(shop: World) -> None:
    shop.show_by_api(2, 0, "content", T0)
    shop.click(2, 0, T0 + WINDOW + timedelta(seconds=1))

    attribution_refresh()

    assert not Touch.objects.exists()


def test_a_purchase_event_converts_with_no_money_unless_a_sale_line_of_its_order_carries_it(
    shop: World,
) -> None:
    # given: a purchase event, then later the sale line of the same order (customer, product, moment)
    shop.click_in_email(0, 0, T0)
    bought_at = T0 + timedelta(hours=1)
    shop.buy_by_event(0, 0, bought_at)
    attribution_refresh()
    assert [row[-1] for row in credited()] == [Decimal(0)]

    # when
    shop.buy(0, 0, bought_at)
    attribution_refresh()

    # then: one purchase, credited once, with the sale line's money
    assert credited() == [(shop.products[0], "email", "model", shop.sends[0].pk, bought_at, LINE)]
    assert Conversion.objects.get().sale_id is not None
    assert figures()[1][0][3:] == (1, LINE)


def test_a_purchase_imported_late_with_an_old_timestamp_is_still_credited(shop: World) -> None:
    shop.click_in_email(0, 0, T0)
    attribution_refresh()
    shop.buy(1, 0, T0 + timedelta(days=1))  # not a customer who clicked: moves the watermark on
    attribution_refresh()

    shop.buy(0, 1, T0 + timedelta(days=2))  # imported now, bought back then
    attribution_refresh()

    assert [row[:3] for row in credited()] == [(shop.products[1], "email", "graph:bought_together")]


def test_a_click_recorded_after_the_purchase_it_preceded_earns_it(shop: World) -> None:
    shop.buy(2, 0, T0 + timedelta(hours=1))
    attribution_refresh()
    assert credited() == []

    shop.show_by_api(2, 0, "trending", T0 - timedelta(hours=1))
    shop.click(2, 0, T0)  # a frontend's click event, sent late
    attribution_refresh()

    assert [row[1:3] for row in credited()] == [("api", "trending")]


def test_a_click_sent_ahead_of_the_showing_it_followed_is_that_strategys(shop: World, settings: Any) -> None:
    settings.ANALYTICS_REFRESH_SETTLE_SECONDS = 0
    shop.click(2, 0, T0 + timedelta(hours=1))  # a frontend's clock ahead of ours
    shop.buy(2, 0, T0 + timedelta(hours=2))
    attribution_refresh()
    assert not Touch.objects.exists()

    shop.show_by_api(2, 0, "trending", T0)
    attribution_refresh()

    assert [row[1:3] for row in credited()] == [("api", "trending")]


@pytest.mark.parametrize("settle_seconds", [0, 300])
def test_refreshing_again_or_rebuilding_changes_nothing(
    shop: World, settings: Any, settle_seconds: int
) -> None:
    # given
    settings.ANALYTICS_REFRESH_SETTLE_SECONDS = settle_seconds
    shop.show_by_api(1, 2, "popular", T0)
    shop.click_in_email(0, 0, T0)
    shop.click(1, 2, T0 + timedelta(hours=1))
    shop.buy(0, 1, T0 + timedelta(hours=2))
    shop.buy(1, 2, T0 + timedelta(hours=3))
    attribution_refresh()
    once = credited(), figures()

    # when
    again = attribution_refresh()
    twice = credited(), figures()
    attribution_rebuild()

    # then
    assert len(once[0]) == 2
    assert again.conversions == 0
    assert twice == once
    assert (credited(), figures()) == once
    assert {row[1] for row in once[0]} == {Channel.EMAIL, Channel.API}


def test_the_rebuild_command_shows_its_progress_and_the_beat_task_refreshes(shop: World) -> None:
    shop.click_in_email(0, 0, T0)
    shop.buy(0, 0, T0 + timedelta(hours=1))
    assert refresh_attribution() == 1
    out = StringIO()

    call_command("attribution_rebuild", stdout=out)

    printed = out.getvalue()
    assert [line.split()[:2] for line in printed.splitlines()[1:5]] == [
        ["impressions", "2"], ["touches", "1"], ["purchases", "1"], ["figures", "3"]
    ]  # fmt: skip
    assert "1 touches, 1 conversions" in printed
    assert len(credited()) == 1
    assert "refresh-attribution" in django_settings.CELERY_BEAT_SCHEDULE


@pytest.mark.django_db(transaction=True)
def test_a_refresh_while_another_holds_the_watermark_does_nothing_and_does_not_wait() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (as in CI); SQLite has one writer at a time")
    # given: a rebuild (or a slow refresh) holds the watermark in another connection
    AttributionWatermark.objects.get_or_create(pk=1)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                AttributionWatermark.objects.select_for_update().get(pk=1)
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        with connection.cursor() as cursor:  # waiting for the lock would fail the test, not hang it
            cursor.execute("SET lock_timeout = '2s'")

        # when
        counts = attribution_refresh()

        # then
        assert counts == RefreshCounts()
        assert AttributionWatermark.objects.get(pk=1).refreshed_at is None
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


def test_a_rebuild_credits_more_purchases_than_one_statement_may_name(shop: World, monkeypatch: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's limit on the variables of a statement")
    # given: more purchases after a click than SQLite lets a statement name (lowered to 1,000 here)
    monkeypatch.setattr(attribution_refresh_module, "CREDITED_AT_ONCE", 400, raising=False)
    shop.click_in_email(0, 0, T0)
    purchases_record(
        [PurchaseRow("test", f"line-{i}", "", "sale", shop.customers[0], shop.products[i % 3], 1, PRICE,
                     PRICE, "GBP", T0 + timedelta(seconds=i + 1), {}) for i in range(1_500)],
        recompute_interests=False,
    )  # fmt: skip
    connection.ensure_connection()
    limit = connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 1_000)
    try:
        # when
        counts = attribution_rebuild()
    finally:
        connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)

    # then
    assert (counts.purchases, counts.conversions) == (1_500, 1_500)
    assert Conversion.objects.count() == 1_500
