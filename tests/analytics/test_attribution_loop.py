"""Attributed sales per strategy, read back, and fed to the blend choice: a source whose
recommendations earned sales is never switched off; without attribution nothing changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from analytics.attribution_models import StrategyPerformance
from analytics.attribution_refresh import attribution_refresh
from analytics.attribution_selectors import strategy_performance
from recommendations.blending import Blend, blend_source, default_blend
from recommendations.services import EARNING_DAYS, _earning_sources
from recommendations.tuning import kept_earning
from tests.analytics.attribution_world import PRICE, T0, World, world


@pytest.fixture
def earned(db: None, django_capture_on_commit_callbacks: Any) -> World:
    """The API showed two products by two strategies; one was clicked and bought twice."""
    shop = world(django_capture_on_commit_callbacks)
    shop.show_by_api(2, 0, "graph:bought_together", T0)
    shop.show_by_api(2, 1, "popular", T0)
    shop.show_by_api(1, 1, "popular", T0)
    shop.click(2, 0, T0 + timedelta(minutes=1))
    shop.buy(2, 0, T0 + timedelta(hours=1), quantity=3)
    shop.buy(2, 0, T0 + timedelta(days=2))
    attribution_refresh()
    return shop


def test_each_strategys_attributed_revenue_and_conversion_rate(earned: World) -> None:
    figures = strategy_performance(since=T0.date(), until=T0.date() + timedelta(days=6))

    assert [(f.strategy, f.shown, f.clicked, f.bought, f.revenue) for f in figures] == [
        ("graph:bought_together", 1, 1, 2, PRICE * 5),
        ("popular", 2, 0, 0, Decimal(0)),
    ]
    assert [f.conversion_rate for f in figures] == [2.0, 0.0]
    later = strategy_performance(since=T0.date() + timedelta(days=1), until=T0.date() + timedelta(days=6))
    assert [(f.strategy, f.bought, f.shown) for f in later] == [("graph:bought_together", 1, 0)]
    assert strategy_performance(since=T0.date(), until=T0.date(), channel="email") == []


def test_the_sources_that_earned_lately_are_those_of_the_strategies_with_sales(earned: World) -> None:
    today = timezone.localdate()
    StrategyPerformance.objects.exclude(day=T0.date()).delete()  # one day of figures, moved about
    StrategyPerformance.objects.update(day=today - timedelta(days=EARNING_DAYS + 1))
    assert _earning_sources() == set()

    StrategyPerformance.objects.update(day=today)
    assert _earning_sources() == {"graph"}  # not "popular": shown, never bought


def test_strategies_name_the_source_whose_weight_chose_them() -> None:
    named = ["graph:bought_together", "popular_in_interests", "model", "repeat", "discovery"]
    assert [blend_source(strategy) for strategy in named] == ["graph", "interests", "model", "repeat", None]


def _switched_off(*sources: str) -> Blend:
    blend = default_blend()
    return replace(blend, weights={**blend.weights, **dict.fromkeys(sources, 0.0)})


def test_a_source_that_earned_sales_keeps_the_smallest_weight_tried() -> None:
    chosen = _switched_off("graph", "content", "repeat")

    kept = kept_earning(chosen, {"graph", "repeat", "declared", "model"})

    assert kept.weights == {**chosen.weights, "graph": 0.25}  # the regulars follow their own rule
    assert replace(kept, weights=chosen.weights) == chosen


def test_without_attribution_data_the_chosen_blend_stands() -> None:
    chosen = _switched_off("graph", "content")

    assert kept_earning(chosen, ()) is chosen
    assert kept_earning(chosen, {"model"}) is chosen  # it has weight already
