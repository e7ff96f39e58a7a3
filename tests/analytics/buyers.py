"""Buyers of one order each, for the RFM and cohort tests: with every frequency score alike,
the day of each order alone ranks them."""

from __future__ import annotations

from collections.abc import Sequence

from analytics.services.refresh import aggregates_refresh
from customers.models import Customer
from tests.analytics.world import buy, reachable

# Eleven buyers on days 0 to 10: recency scores 1,1,2,2,3,3,4,4,5,5,5 and frequency 1 for all.
RANKED = {
    "Hibernating": ["b00", "b01", "b02", "b03"],
    "About to sleep": ["b04", "b05"],
    "Promising": ["b06", "b07"],
    "New customers": ["b08", "b09", "b10"],
}


def one_order_each(product_id: int, days: Sequence[int], *, prefix: str = "b") -> list[Customer]:
    """A reachable customer per day (``<prefix>00``, ``<prefix>01``…), each buying once that
    day (days after ``DAY0``, 1 December 2011); the aggregates refreshed."""
    customers = []
    for index, day in enumerate(days):
        customer = reachable(f"{prefix}{index:02d}")
        buy(customer.pk, product_id, f"{prefix}{index}", day=day, invoice=f"{prefix}{index}", quantity=1)
        customers.append(customer)
    aggregates_refresh()
    return customers
