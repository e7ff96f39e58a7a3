from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from catalog.models import Product
from catalog.services import category_tree_sync, products_create_missing
from catalog.taxonomy import categorize
from customers.models import Customer
from customers.services.activity import PurchaseRow, purchases_record
from customers.services.customers import customers_create_missing
from customers.services.interests import (
    interest_taxonomy_sync_from_catalog,
    interests_recompute_from_purchases,
)

NAMES = {
    "85123A": "WHITE HANGING HEART T-LIGHT HOLDER",
    "22086": "PAPER CHAIN KIT 50'S CHRISTMAS",
    "21212": "PACK OF 72 RETROSPOT CAKE CASES",
}


@dataclass
class Shop:
    customers: dict[str, int]
    products: dict[str, int]

    def buy(self, customer: str, sku: str, line: str, quantity: int = 2, invoice: str = "") -> None:
        purchases_record(
            [
                PurchaseRow(
                    source="test", external_id=line, invoice=invoice or f"I-{line}", kind="sale",
                    customer_id=self.customers[customer], product_id=self.products[sku], quantity=quantity,
                    unit_price=Decimal("2.55"), amount=Decimal("2.55") * quantity, currency="GBP",
                    purchased_at=datetime(2011, 12, 1, 8, 26, tzinfo=UTC), metadata={},
                )
            ],
            recompute_interests=False,
        )  # fmt: skip


@pytest.fixture
def shop(db: None) -> Shop:
    """Two customers and three products, written through the services (so through the outbox)."""
    categories = category_tree_sync()
    interest_taxonomy_sync_from_catalog()
    _, products = products_create_missing(
        [Product(sku=sku, name=name, category_id=categories[categorize(name)], price=Decimal("2.55"))
         for sku, name in NAMES.items()]
    )  # fmt: skip
    _, customers = customers_create_missing(
        [
            Customer(external_id="ada", name="Ada", country="United Kingdom"),
            Customer(external_id="bob", name="Bob"),
        ]
    )
    built = Shop(customers=customers, products=products)
    built.buy("ada", "85123A", "1", invoice="I-1")
    built.buy("ada", "22086", "2", invoice="I-1")
    built.buy("bob", "85123A", "3", invoice="I-2")
    built.buy("bob", "22086", "4", invoice="I-2")
    built.buy("bob", "21212", "5", invoice="I-3")
    interests_recompute_from_purchases(list(customers.values()))
    return built
