from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from model_bakery import baker

from catalog.models import Product
from customers.models import Customer, Purchase
from customers.services.activity import PurchaseRow
from marketing_platform.bulk import WriteCounts, insert_missing

pytestmark = pytest.mark.django_db

AWKWARD = {"note": 'tab\there, newline\nthere, back\\slash, quote " and \\N', "empty": ""}


def _row(external_id: str, customer: Customer, product: Product, **changes: Any) -> PurchaseRow:
    row = PurchaseRow(
        source="test", external_id=external_id, invoice="", kind="sale", customer_id=customer.pk,
        product_id=product.pk, quantity=2, unit_price=Decimal("1.005"), amount=Decimal("2.010"),
        currency="GBP", purchased_at=datetime(2011, 12, 9, 12, 50, tzinfo=UTC), metadata=AWKWARD,
    )  # fmt: skip
    return row._replace(**changes)


def test_rows_round_trip_exactly_and_duplicates_are_counted_not_stored() -> None:
    customer, product = baker.make(Customer), baker.make(Product)
    rows = [
        _row("a\\b\tc", customer, product),
        _row("a\\b\tc", customer, product, quantity=9),  # same key later in the batch: a duplicate
        _row("plain", customer, product, invoice="C536379"),
    ]

    counts, inserted = insert_missing(Purchase, rows)
    again, reinserted = insert_missing(Purchase, rows)

    assert counts == WriteCounts(created=2, duplicate=1)
    assert [row.external_id for row in inserted] == ["a\\b\tc", "plain"]
    assert again == WriteCounts(created=0, duplicate=3)
    assert reinserted == []
    stored = Purchase.objects.get(external_id="a\\b\tc")
    assert stored.metadata == AWKWARD
    assert (stored.invoice, stored.quantity, stored.unit_price) == ("", 2, Decimal("1.005"))
    assert stored.purchased_at == datetime(2011, 12, 9, 12, 50, tzinfo=UTC)
    assert stored.created_at is not None
    assert Purchase.objects.get(external_id="plain").invoice == "C536379"
