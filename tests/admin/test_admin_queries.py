from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from model_bakery import baker

from catalog.models import Category, Product
from customers.models import Customer, CustomerInterest, Interest, Purchase

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/customers/customer/",
    "/admin/customers/customer/{customer}/change/",
    "/admin/customers/purchase/",
    "/admin/customers/customerinterest/",
    "/admin/catalog/product/",
]


def _customer_with(lines: int) -> Customer:
    customer = baker.make(Customer, country="France")
    for index in range(lines):
        category = baker.make(Category, parent=baker.make(Category))
        product = baker.make(Product, category=category)
        interest = baker.make(Interest, product_category=category)
        baker.make(CustomerInterest, customer=customer, interest=interest, source="purchases", confidence=0.5)
        Purchase.objects.create(
            source="test",
            external_id=f"{customer.pk}-{index}",
            invoice=str(index),
            customer=customer,
            product=product,
            quantity=1,
            unit_price=Decimal(1),
            amount=Decimal(1),
            purchased_at=datetime(2011, 1, 1, tzinfo=UTC) + timedelta(days=index),
        )
    return customer


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", PAGES)
def test_admin_pages_cost_the_same_queries_for_few_or_many_rows(admin_client: Client, page: str) -> None:
    few, many = _customer_with(2), _customer_with(12)
    # warm per-process caches (content types, the catalogue's content index)
    _queries(admin_client, page.format(customer=few.pk))
    cache.clear()  # and measure cold answers (recommendations are cached per customer)
    few_queries = _queries(admin_client, page.format(customer=few.pk))

    cache.clear()
    many_queries = _queries(admin_client, page.format(customer=many.pk))

    assert many_queries == few_queries
