"""A customer's purchase summary (the admin's customer page) counts every way an order came."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from customers.selectors import PurchaseSummary, customer_purchase_summary
from tests.factories import SOLD_AT, Shop


def test_orders_that_came_as_events_count_without_money(shop: Shop) -> None:
    later = SOLD_AT + timedelta(days=5)
    shop.buy_by_event("ada", "21212", "e-1", quantity=3, at=later)
    shop.buy_by_event("ada", "85123A", "e-2", at=later)  # the same order: the same moment
    cy = shop.newcomer("cy")
    shop.buy_by_event("cy", "21212", "e-3", at=later)

    ada = customer_purchase_summary(customer_id=shop.customers["ada"])
    only_events = customer_purchase_summary(customer_id=cy)

    assert ada == PurchaseSummary(
        orders=2, lines=4, spent=Decimal("10.2"), returned=Decimal(0), first=SOLD_AT, last=later
    )
    assert only_events == PurchaseSummary(
        orders=1, lines=1, spent=Decimal(0), returned=Decimal(0), first=later, last=later
    )
