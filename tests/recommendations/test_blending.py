"""The blend's pure parts on hand-made lists."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from recommendations.blending import Candidates, Shopper, choose, default_blend, fuse, regulars
from recommendations.content import ContentIndex, content_candidates


def _shopper(bought: dict[int, int]) -> Shopper:
    return Shopper(customer_id=1, bought=Counter(bought), has_events=True, interests=[])


def test_a_catalogue_without_words_has_no_content_candidates_and_no_error() -> None:
    index = ContentIndex.of([(1, "A1", "A1 12 x 3"), (2, "B2", "B2 4")])

    assert content_candidates([_shopper({1: 1})], index) == {}


def test_nothing_is_chosen_for_a_list_of_none() -> None:
    shopper = _shopper({})
    ranked = fuse({"popular": Candidates.of([1, 2, 3], "popular", "")}, default_blend(), shopper, {})

    assert choose(ranked, shopper, set(), {1: None, 2: None, 3: None}, max_per_category=3, limit=0) == []


def test_the_discovery_slot_goes_to_a_real_category_new_to_the_customer() -> None:
    shopper = _shopper({10: 1})
    category_of = {10: 1, 11: 1, 12: None, 13: 2}  # 12 has no category: it is not "something different"
    ranked = fuse(
        {"popular": Candidates.of([11, 12, 13], "popular", "best")}, default_blend(), shopper, category_of
    )

    picks = choose(ranked, shopper, set(), category_of, max_per_category=3, limit=2, discovery=True)

    assert [(pick.product_id, pick.strategy) for pick in picks] == [(11, "popular"), (13, "discovery")]


@pytest.mark.parametrize(("half_life", "first"), [(None, 1), (30, 2), (3650, 1)])
def test_regulars_rank_by_orders_each_weighed_by_its_age_when_the_blend_says(
    half_life: int | None, first: int
) -> None:
    """Product 1: three orders a year ago; product 2: two orders this month. Orders alike, or
    halving once a decade, the three older orders win; halving monthly, the recent two do."""
    latest = datetime(2026, 6, 30, tzinfo=UTC)
    shopper = Shopper(
        customer_id=1,
        bought=Counter({1: 3, 2: 2}),
        has_events=False,
        interests=[],
        ordered_at={
            1: [latest - timedelta(days=365 + d) for d in (0, 7, 14)],
            2: [latest, latest - timedelta(days=7)],
        },
    )

    ranked = regulars(shopper, {1, 2}, half_life).product_ids

    assert ranked[0] == first
