"""What the analytics page and API read, on small histories with known answers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from analytics.errors import InvalidPeriod
from analytics.rfm import GRID, RfmSegment, quintile
from analytics.selectors import (
    cohort_retention,
    customer_engagement_get,
    daily_activity_compare,
    rfm_scores,
    rfm_segment_counts,
    rfm_segment_members,
)
from analytics.services.refresh import aggregates_refresh
from customers.models import InteractionKind
from tests.analytics.world import DAY0, act, buy, reachable, say
from tests.factories import catalog


@pytest.fixture
def product(db: None) -> int:
    return catalog(["85123A"])["85123A"]


# name → (orders, day of the last one, price of each): recency, frequency and money each rank
# the five buyers 1 to 5, in different orders.
BUYERS = {"a": (5, 10, "1"), "b": (4, 11, "2"), "c": (3, 12, "4"), "d": (2, 13, "7"), "e": (1, 14, "20")}


@pytest.fixture
def buyers(product: int) -> dict[str, int]:
    ids = {}
    for name, (orders, last, price) in BUYERS.items():
        customer = reachable(name)
        for n in range(orders):
            buy(
                customer.pk,
                product,
                f"{name}{n}",
                day=last - n,
                invoice=f"{name}{n}",
                quantity=1,
                price=price,
            )
        ids[name] = customer.pk
    returner = reachable("r")  # returned something, bought nothing: not scored
    buy(returner.pk, product, "r0", day=3, quantity=-1)
    aggregates_refresh()
    return ids


def test_rfm_scores_rank_buyers_into_quintiles_and_name_their_segments(buyers: dict[str, int]) -> None:
    scored = {row.customer_id: (row.r, row.f, row.m, row.segment) for row in rfm_scores()}  # type: ignore[attr-defined]

    assert scored == {
        buyers["a"]: (1, 5, 1, "Can't lose them"),  # long gone, bought often
        buyers["b"]: (2, 4, 2, "At risk"),
        buyers["c"]: (3, 3, 3, "Need attention"),
        buyers["d"]: (4, 2, 4, "Potential loyalists"),
        buyers["e"]: (5, 1, 5, "New customers"),  # one recent order
    }
    counts = rfm_segment_counts()
    assert counts[RfmSegment.AT_RISK] == 1
    assert (counts[RfmSegment.CHAMPIONS], sum(counts.values())) == (0, 5)
    assert [row.customer_id for row in rfm_segment_members(RfmSegment.NEED_ATTENTION)] == [buyers["c"]]


def test_one_customers_scores_agree_with_the_whole_tables(buyers: dict[str, int]) -> None:
    for row in rfm_scores():
        figures = customer_engagement_get(customer_id=row.customer_id)
        assert figures is not None
        assert figures.rfm is not None
        assert (figures.rfm.r, figures.rfm.f, figures.rfm.m, figures.rfm.segment) == (
            row.r, row.f, row.m, row.segment  # type: ignore[attr-defined]
        )  # fmt: skip
    assert customer_engagement_get(customer_id=buyers["c"]).engagement.orders == 3  # type: ignore[union-attr]


def test_the_grid_names_every_pair_of_scores_once() -> None:
    cells = [(r, f) for r in range(1, 6) for f in range(1, 6)]

    assert all(sum(r in rs and f in fs for rs, fs, _ in GRID) == 1 for r, f in cells)
    assert {segment for _, _, segment in GRID} == set(RfmSegment)


def test_ties_share_a_score() -> None:
    assert [quintile(below, 10) for below in (0, 0, 2, 4, 9)] == [1, 1, 2, 3, 5]
    assert quintile(0, 1) == 1


def test_cohorts_by_first_purchase_month_with_the_share_buying_in_each_later_month(product: int) -> None:
    # given: Jan 10, Feb 10, Mar 10 and Apr 10 2012, in days after 1 December 2011
    jan, feb, mar, apr = 40, 71, 100, 131
    x, y, z, w = (reachable(name).pk for name in "xyzw")
    for customer, days in ((x, (jan, feb, apr)), (y, (jan, mar)), (z, (feb, mar))):
        for day in days:
            buy(customer, product, f"{customer}-{day}", day=day)
    act(w, product, "w-feb", day=feb, kind=InteractionKind.PURCHASE)  # an order that came as an event
    act(w, product, "w-mar", day=mar, kind=InteractionKind.VIEW)  # not a purchase
    aggregates_refresh()

    cohorts = cohort_retention()

    assert [(c.month, c.customers, c.retained) for c in cohorts] == [
        (date(2012, 1, 1), 2, [0.5, 0.5, 0.5]),
        (date(2012, 2, 1), 2, [0.5, 0.0]),
    ]
    assert [c.month for c in cohort_retention(since=date(2012, 2, 14))] == [date(2012, 2, 1)]


def test_a_period_comes_with_the_one_before_it_day_by_day(product: int) -> None:
    ada, bob = reachable("ada"), reachable("bob")
    buy(ada.pk, product, "1", day=0, invoice="I1")  # 5.00
    buy(bob.pk, product, "2", day=0, invoice="I2")
    buy(ada.pk, product, "3", day=2, invoice="I3")
    say(bob.pk, "m", day=3)
    aggregates_refresh()

    compared = daily_activity_compare(since=DAY0 + timedelta(days=2), until=DAY0 + timedelta(days=3))

    assert [(d.day, d.active_customers, d.orders, d.messages) for d in compared.current.days] == [
        (DAY0 + timedelta(days=2), 1, 1, 0),
        (DAY0 + timedelta(days=3), 1, 0, 1),
    ]
    assert [(d.day, d.orders) for d in compared.previous.days] == [(DAY0, 2), (DAY0 + timedelta(days=1), 0)]
    assert (compared.current.totals["orders"], compared.previous.totals["orders"]) == (1, 2)
    assert (compared.current.revenue, compared.previous.revenue) == (
        {"GBP": Decimal(5)},
        {"GBP": Decimal(10)},
    )
    assert compared.previous.mean_active_customers == 1.0
    with pytest.raises(InvalidPeriod, match="before it starts"):
        daily_activity_compare(since=DAY0, until=DAY0 - timedelta(days=1))
    with pytest.raises(InvalidPeriod, match="at most 3,660 days"):
        daily_activity_compare(since=DAY0, until=DAY0 + timedelta(days=3660))
    with pytest.raises(InvalidPeriod, match="comes before"):
        daily_activity_compare(since=date(1, 1, 2), until=date(1, 1, 3))
