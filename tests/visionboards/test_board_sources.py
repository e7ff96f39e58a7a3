"""What a board is made from, read before it is drawn."""

from __future__ import annotations

from datetime import timedelta

from customers.models import Customer
from graph.port import Graph
from tests.factories import SOLD_AT, Shop
from visionboards.selectors import board_sources_for


def test_recent_purchases_include_orders_that_came_as_events(shop: Shop, graph: Graph) -> None:
    shop.buy_by_event("ada", "21212", "e-1", at=SOLD_AT + timedelta(days=3))

    (source,) = board_sources_for([Customer.objects.get(external_id="ada")]).values()

    assert [(tile.name, tile.reason) for tile in source.recent] == [
        ("PACK OF 72 RETROSPOT CAKE CASES", "Your order of 4 December 2011"),
        ("PAPER CHAIN KIT 50'S CHRISTMAS", "Your order of 1 December 2011"),
    ]
