"""Attribution kept incrementally equals attribution rebuilt from scratch, whatever happened in
between; and a refresh asks the database as often however long the history is."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.attribution_models import Impression
from analytics.attribution_refresh import attribution_rebuild, attribution_refresh
from customers.models import InteractionEvent, Purchase
from tests.analytics.attribution_world import T0, World, credited, figures, world
from tests.fuzz.budget import fuzz_budget

STRATEGIES = ("model", "graph:bought_together", "popular")
# Ten days in steps of twelve hours: within and beyond the window of seven, and clicks and
# purchases at one instant.
MOMENTS = st.integers(min_value=0, max_value=20).map(lambda steps: T0 + timedelta(hours=12 * steps))
CUSTOMER, PRODUCT, SEND = st.integers(0, 2), st.integers(0, 1), st.integers(0, 1)
BUYS = st.sampled_from(["buy", "buy_by_event"])
STEP = st.one_of(
    st.tuples(st.just("show_by_api"), CUSTOMER, PRODUCT, st.sampled_from(STRATEGIES), MOMENTS),
    st.tuples(st.just("click_in_email"), SEND, PRODUCT, MOMENTS),
    st.tuples(st.just("click"), CUSTOMER, PRODUCT, MOMENTS),
    st.tuples(BUYS, CUSTOMER, PRODUCT, MOMENTS),
    st.tuples(st.just("refresh")),
)  # fmt: skip


@st.composite
def journey(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    """A customer shown a product by the API, clicking it, then buying (it or the other one),
    each step at the same moment or later, in an order of its own."""
    customer, product, shown_at = draw(CUSTOMER), draw(PRODUCT), draw(MOMENTS)
    clicked_at = shown_at + timedelta(hours=12 * draw(st.integers(0, 2)))
    bought_at = clicked_at + timedelta(hours=12 * draw(st.integers(-1, 16)))
    steps = [("show_by_api", customer, product, draw(st.sampled_from(STRATEGIES)), shown_at),
             ("click", customer, product, clicked_at),
             (draw(BUYS), customer, draw(st.sampled_from([product, 1 - product])), bought_at)]  # fmt: skip
    return draw(st.permutations(steps))


# Each email shows its products when it is rendered, before anyone can click them.
RENDERED = st.lists(
    st.tuples(PRODUCT, st.sampled_from(STRATEGIES)), max_size=2, unique_by=lambda shown: shown[0]
)
STEPS = st.tuples(
    RENDERED, RENDERED, st.lists(st.one_of(STEP.map(lambda step: [step]), journey()), min_size=3, max_size=12)
).map(
    lambda drawn: [("show_in_email", 0, drawn[0]), ("show_in_email", 1, drawn[1]),
                   *(step for part in drawn[2] for step in part)]
)  # fmt: skip


@pytest.fixture
def shop(db: None, django_capture_on_commit_callbacks: Any) -> World:
    return world(django_capture_on_commit_callbacks)


def forget(shop: World) -> None:
    """Back to the world as built: no clicks, purchases, showings or attribution."""
    for model in (InteractionEvent, Purchase, Impression):
        model.objects.all().delete()
    attribution_rebuild()  # of nothing: no figures, the watermark at the start
    shop.keys.clear()


def play(shop: World, steps: list[tuple[Any, ...]]) -> None:
    for name, *arguments in steps:
        if name == "refresh":
            attribution_refresh()
        else:
            getattr(shop, name)(*arguments)


@settings(fuzz_budget, max_examples=min(fuzz_budget.max_examples, 30))
@given(steps=STEPS, settle=st.sampled_from([0, 300]))
def test_the_refreshed_figures_equal_a_rebuild(
    shop: World, settings: Any, steps: list[Any], settle: int
) -> None:
    forget(shop)
    settings.ANALYTICS_REFRESH_SETTLE_SECONDS = settle

    play(shop, steps)
    attribution_refresh()
    refreshed = credited(), figures()
    attribution_rebuild()

    assert (credited(), figures()) == refreshed


def history(shop: World, days: int) -> None:
    """``days`` days of showings, clicks and purchases of every kind; the first customer never clicks."""
    for day in range(days):
        at = T0 + timedelta(days=day)
        shop.show_in_email(day % 2, [(day % 3, "model")], at)
        shop.show_by_api(2, day % 3, "popular", at)
        shop.click_in_email(1, day % 3, at + timedelta(minutes=1))  # the first three days' only
        shop.click(2, day % 3, at + timedelta(minutes=2))
        shop.buy(day % 3, day % 3, at + timedelta(hours=1))
        shop.buy_by_event(2, (day + 1) % 3, at + timedelta(hours=2))


def queries_of_a_refresh_after(shop: World, days: int) -> int:
    forget(shop)
    history(shop, days)
    attribution_refresh()
    shop.show_by_api(2, 0, "model", T0 + timedelta(days=days))
    shop.click(2, 0, T0 + timedelta(days=days, minutes=1))
    shop.click_in_email(0, 1, T0 + timedelta(days=days, minutes=1))
    shop.buy(2, 0, T0 + timedelta(days=days, hours=1))
    shop.buy(0, 1, T0 + timedelta(days=days, hours=1))
    with CaptureQueriesContext(connection) as refresh:
        attribution_refresh()
    return len(refresh.captured_queries)


def test_a_refresh_asks_as_often_after_a_short_history_as_after_a_long_one(
    shop: World, settings: Any
) -> None:
    settings.ANALYTICS_REFRESH_SETTLE_SECONDS = 0

    assert queries_of_a_refresh_after(shop, 1) == queries_of_a_refresh_after(shop, 30)
