from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client
from model_bakery import baker

from catalog.models import Product
from customers.models import Customer, Purchase

pytestmark = pytest.mark.django_db


@pytest.fixture
def purchases() -> dict[str, Purchase]:
    ada, bob = baker.make(Customer, external_id="12345"), baker.make(Customer, external_id="67890")
    mug, tin = baker.make(Product, sku="22086"), baker.make(Product, sku="85123A")

    def line(ref: str, customer: Customer, product: Product, invoice: str) -> Purchase:
        when = datetime(2011, 5, 1, tzinfo=UTC)
        return Purchase.objects.create(
            source="test", external_id=ref, invoice=invoice, customer=customer, product=product,
            quantity=1, unit_price=Decimal(1), amount=Decimal(1), purchased_at=when,
        )  # fmt: skip

    return {
        "ada-mug": line("1", ada, mug, "536365"),
        "bob-tin": line("2", bob, tin, "536366"),
        "bob-mug": line("3", bob, mug, "12345"),
    }


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("536365", {"ada-mug"}),  # invoice
        ("67890", {"bob-tin", "bob-mug"}),  # customer external id
        ("22086", {"ada-mug", "bob-mug"}),  # SKU
        ("12345", {"ada-mug", "bob-mug"}),  # Ada's external id and an invoice number alike
        (" 85123A ", {"bob-tin"}),
        ("nothing", set()),
    ],
)
def test_purchase_search_matches_exact_invoice_customer_or_sku(
    admin_client: Client, purchases: dict[str, Purchase], term: str, expected: set[str]
) -> None:
    response = admin_client.get("/admin/customers/purchase/", {"q": term})

    assert response.status_code == 200
    found = {purchase.pk for purchase in response.context["cl"].result_list}
    assert found == {purchases[name].pk for name in expected}
