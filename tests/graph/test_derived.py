"""SIMILAR_TO and COMPLEMENTS read what customers have, whichever way their purchases came."""

from __future__ import annotations

from datetime import timedelta

from graph.services.derived import complement_edges, similar_customer_edges
from tests.factories import SOLD_AT, Shop


def test_a_customer_whose_purchases_came_as_events_has_similar_customers(shop: Shop) -> None:
    cy = shop.newcomer("cy")
    shop.buy_by_event("cy", "85123A", "e-1")
    shop.buy_by_event("cy", "85123A", "e-2", at=SOLD_AT + timedelta(days=1))  # a second order
    shop.buy_by_event("cy", "21212", "e-3")

    similar = {(edge["from_id"], edge["to_id"]): edge for edge in similar_customer_edges(5)}

    # a product counts once, however many orders it came on
    assert similar[(cy, shop.customers["bob"])]["shared_products"] == 2
    assert similar[(cy, shop.customers["ada"])]["shared_products"] == 1
    assert similar[(shop.customers["bob"], cy)]["score"] > similar[(shop.customers["ada"], cy)]["score"]


def test_what_one_customer_bought_at_one_moment_is_one_basket(shop: Shop) -> None:
    # given three orders, each of a lights and a baking product, that came as purchase events
    for index in range(3):
        shop.newcomer(f"buyer-{index}")
        at = SOLD_AT + timedelta(days=index + 1)
        shop.buy_by_event(f"buyer-{index}", "85123A", f"e-{index}-a", at=at)
        shop.buy_by_event(f"buyer-{index}", "21212", f"e-{index}-b", at=at)
    # and many more orders of the Christmas product alone, so that three is well above chance
    for index in range(60):
        shop.buy_by_event("ada", "22086", f"e-alone-{index}", at=SOLD_AT + timedelta(hours=index + 1))

    pairs = {(edge["from_id"], edge["to_id"]): edge["count"] for edge in complement_edges(5, 3)}

    assert pairs[(shop.products["85123A"], shop.products["21212"])] == 3
    assert pairs[(shop.products["21212"], shop.products["85123A"])] == 3
