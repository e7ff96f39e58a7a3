"""Bought together (EASE), on hand-made purchases."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from model_bakery import baker

from catalog.models import Product
from customers.ownership import Acquisition
from recommendations.blending import Shopper
from recommendations.companions import companion_candidates, companions_of

END = datetime(2026, 6, 1, tzinfo=UTC)
pytestmark = pytest.mark.django_db  # the reasons name the products


def _bought(customer: int, products: list[int], days_ago: int = 0) -> list[Acquisition]:
    moment = END - timedelta(days=days_ago)
    return [Acquisition(customer, pk, f"{customer}-{days_ago}", 1, moment) for pk in products]


def _shopper(customer: int, products: list[int], days_ago: int = 0) -> Shopper:
    moment = END - timedelta(days=days_ago)
    return Shopper(
        customer_id=customer,
        bought=Counter(products),
        has_events=False,
        interests=[],
        ordered_at={pk: [moment] for pk in products},
    )


def test_what_goes_with_the_basket_comes_before_the_bestseller_that_goes_with_everything() -> None:
    bestseller, lamp, shade = (baker.make(Product, name=name).pk for name in ("Mug", "Lamp", "Shade"))
    rows = [
        *(row for customer in range(2, 6) for row in _bought(customer, [lamp, shade, bestseller])),
        *(row for customer in range(6, 30) for row in _bought(customer, [bestseller, 1000 + customer % 6])),
    ]

    # each was bought with the lamp by the same 4 customers: a co-purchase count ties them
    found = companion_candidates([_shopper(1, [lamp])], companions_of(rows, 28))[1]
    assert found.product_ids[0] == shade
    assert found.reasons[0] == "Goes with Lamp, which you bought"
    assert found.strategies[0] == "companions"
    assert bestseller in found.product_ids[1:]


def test_recent_baskets_count_more_than_old_ones_within_the_half_life() -> None:
    rows = [
        *(row for customer in range(2, 5) for row in _bought(customer, [7, 40], days_ago=200)),
        *(row for customer in range(5, 8) for row in _bought(customer, [7, 41], days_ago=2)),
    ]

    lately = companion_candidates([_shopper(1, [7])], companions_of(rows, 7))[1].product_ids
    all_time = companion_candidates([_shopper(1, [7])], companions_of(rows, None))[1].product_ids

    assert lately.index(41) < lately.index(40)
    assert all_time[:2] == [40, 41]  # no half-life: alike, so by id


def test_a_customer_of_unknown_products_gets_nothing_and_no_baskets_make_no_model() -> None:
    companions = companions_of(_bought(2, [7, 8]), 28)

    assert companion_candidates([_shopper(1, [99])], companions) == {}
    assert companions_of([], 28) is None
    assert companions_of(_bought(2, [7]), 28) is None  # one product: nothing goes with anything
    assert companion_candidates([_shopper(1, [7])], None) == {}
