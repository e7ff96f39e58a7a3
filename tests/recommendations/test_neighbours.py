"""Customers like you, on hand-made purchases."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from customers.ownership import Acquisition
from recommendations.blending import Shopper
from recommendations.neighbours import neighbour_candidates, neighbourhood_of

END = datetime(2026, 6, 1, tzinfo=UTC)


def _bought(customer: int, products: list[int], days_ago: int = 0) -> list[Acquisition]:
    moment = END - timedelta(days=days_ago)
    return [Acquisition(customer, pk, f"{customer}-{days_ago}", 1, moment) for pk in products]


def _shopper(customer: int, products: list[int]) -> Shopper:
    return Shopper(customer_id=customer, bought=Counter(products), has_events=False, interests=[])


def test_what_the_nearest_customers_bought_comes_first_and_rare_tastes_make_them_near() -> None:
    everyone = [100, 101, 102, 103]  # bestsellers: everybody has them, so they say little
    rows = [
        *_bought(1, [*everyone, 7, 8]),  # the customer asked about: two rare products
        *_bought(2, [*everyone, 7, 8, 20]),  # shares both rare ones
        *_bought(3, [*everyone, 30]),  # shares only the bestsellers
        *_bought(4, [*everyone, 31]),
    ]

    found = neighbour_candidates([_shopper(1, [*everyone, 7, 8])], neighbourhood_of(rows, 28))

    listed = [pk for pk in found[1].product_ids if pk not in (*everyone, 7, 8)]  # what 1 has is listed too
    assert listed[0] == 20
    assert set(listed[1:3]) == {30, 31}
    assert found[1].reasons[0] == "Bought lately by customers like you"


def test_recent_purchases_of_neighbours_count_more_than_old_ones_within_the_half_life() -> None:
    rows = [
        *_bought(1, [7, 8]),
        *_bought(2, [7, 8]),
        *_bought(2, [40], days_ago=200),  # as near, but long ago
        *_bought(3, [7, 8]),
        *_bought(3, [41], days_ago=2),
    ]

    lately = neighbour_candidates([_shopper(1, [7, 8])], neighbourhood_of(rows, 7))[1].product_ids
    all_time = neighbour_candidates([_shopper(1, [7, 8])], neighbourhood_of(rows, None))[1]

    assert lately.index(41) < lately.index(40)
    assert all_time.product_ids[:4] == [7, 8, 40, 41]  # no half-life: equal neighbours, so by id
    assert all_time.reasons[0] == "Bought by customers like you"


def test_a_customer_is_not_its_own_neighbour_and_a_stranger_has_no_neighbours() -> None:
    rows = [*_bought(1, [7, 8, 9]), *_bought(2, [50])]
    neighbourhood = neighbourhood_of(rows, 28)

    found = neighbour_candidates([_shopper(1, [7, 8]), _shopper(5, [99])], neighbourhood)

    assert found == {}  # 1's only near customer is itself (what it has now, 9 included, is not news)
    assert neighbourhood_of([], 28) is None
    assert neighbour_candidates([_shopper(1, [7])], None) == {}
