from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from catalog.models import Product
from catalog.services import category_tree_sync, products_create_missing
from catalog.taxonomy import categorize
from customers.models import Customer, CustomerInterest
from customers.services.activity import PurchaseRow, purchases_record
from customers.services.interests import (
    interest_taxonomy_sync_from_catalog,
    interests_recompute_from_purchases,
)
from graph.port import Graph
from marketing_platform.api.scopes import Scope
from marketing_platform.api_keys import api_key_create

PASSWORD = "a-long-test-password-1"


def jwt_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def key_client(*scopes: str) -> APIClient:
    _, plaintext = api_key_create(name="test service", scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    return client


@dataclass
class World:
    ada: Customer  # has a login
    bob: Customer
    clients: dict[str, APIClient]

    def purchase_of(self, customer: Customer) -> int:
        return customer.purchases.values_list("pk", flat=True).first()  # type: ignore[return-value]

    def interest_of(self, customer: Customer) -> int:
        return CustomerInterest.objects.filter(customer=customer).values_list("pk", flat=True).first()  # type: ignore[return-value]


@pytest.fixture
def world(db: None, graph: Graph) -> World:
    categories = category_tree_sync()
    interest_taxonomy_sync_from_catalog()
    names = {"85123A": "WHITE HANGING HEART T-LIGHT HOLDER", "22086": "PAPER CHAIN KIT 50'S CHRISTMAS"}
    _, products = products_create_missing(
        [
            Product(sku=sku, name=name, category_id=categories[categorize(name)], price=Decimal("2.55"))
            for sku, name in names.items()
        ]
    )
    users = get_user_model().objects
    ada_login = users.create_user("ada", password=PASSWORD)
    ada = Customer.objects.create(external_id="ada-1", email="ada@example.com", user=ada_login)
    bob = Customer.objects.create(external_id="bob-2", email="bob@example.com")
    for index, customer in enumerate((ada, bob)):
        purchases_record(
            [
                PurchaseRow(
                    source="test",
                    external_id=f"p-{index}",
                    invoice=f"I{index}",
                    kind="sale",
                    customer_id=customer.pk,
                    product_id=products["22086"],
                    quantity=2,
                    unit_price=Decimal("2.95"),
                    amount=Decimal("5.90"),
                    currency="GBP",
                    purchased_at=datetime(2011, 12, 1, tzinfo=UTC),
                    metadata={},
                )
            ],
            recompute_interests=False,
        )
    interests_recompute_from_purchases([ada.pk, bob.pk])
    staff = users.create_user("staff", password=PASSWORD, is_staff=True)
    return World(
        ada=ada,
        bob=bob,
        clients={
            "staff": jwt_client(staff),
            "customer": jwt_client(ada_login),
            "service": key_client(
                Scope.CUSTOMERS_READ, Scope.INGEST, Scope.CATALOG_READ, Scope.EMAILS_RENDER
            ),
            "catalog-service": key_client(Scope.CATALOG_READ, Scope.CATALOG_WRITE),
            "no-role": jwt_client(users.create_user("nobody", password=PASSWORD)),
            "anonymous": APIClient(),
        },
    )
