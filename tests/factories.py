"""Small worlds the tests build through the platform's own services (so through the graph
outbox and the interest rules), shared by the fixtures in ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignState, CampaignVariant, EmailTemplate, Segment
from campaigns.rendering.defaults import DEFAULT_TEMPLATE
from catalog.models import Product
from catalog.services import category_tree_sync, products_create_missing
from catalog.taxonomy import categorize
from customers.models import Customer, CustomerInterest, InteractionKind
from customers.services.activity import EventRow, PurchaseRow, events_record, purchases_record
from customers.services.customers import customers_create_missing
from customers.services.interests import (
    interest_taxonomy_sync_from_catalog,
    interests_recompute,
)
from customers.services.retail_import import online_retail_import
from graph.services.recovery import graph_rebuild
from marketing_platform.api.scopes import Scope
from recommendations import selectors as recommendation_selectors
from recommendations.blending import Blend, default_blend
from recommendations.models import ModelVersion
from tests.support import DEMO_SAMPLE, PASSWORD, jwt_client, key_client

PRODUCT_NAMES = {
    "85123A": "WHITE HANGING HEART T-LIGHT HOLDER",
    "22086": "PAPER CHAIN KIT 50'S CHRISTMAS",
    "21212": "PACK OF 72 RETROSPOT CAKE CASES",
}


def catalog(skus: Iterable[str]) -> dict[str, int]:
    """The named products in their categories, the category tree and its interests; sku → pk."""
    categories = category_tree_sync()
    interest_taxonomy_sync_from_catalog()
    _, products = products_create_missing(
        [Product(sku=sku, name=PRODUCT_NAMES[sku], category_id=categories[categorize(PRODUCT_NAMES[sku])],
                 price=Decimal("2.55")) for sku in skus]
    )  # fmt: skip
    return products


SOLD_AT = datetime(2011, 12, 1, 8, 26, tzinfo=UTC)


def buy(customer_id: int, product_id: int, line: str, *, quantity: int = 2, invoice: str = "") -> None:
    """One sale line, recorded as an importer would (interests are recomputed by the caller)."""
    unit_price = Decimal("2.55")
    purchases_record(
        [
            PurchaseRow(
                source="test", external_id=line, invoice=invoice or f"I-{line}", kind="sale",
                customer_id=customer_id, product_id=product_id, quantity=quantity, unit_price=unit_price,
                amount=unit_price * quantity, currency="GBP", metadata={}, purchased_at=SOLD_AT,
            )
        ],
        recompute_interests=False,
    )  # fmt: skip


def buy_by_event(
    customer_id: int, product_id: int, key: str, *, quantity: int | None = None, at: datetime = SOLD_AT
) -> None:
    """One purchase-kind interaction event (an order without money), recorded as the events API
    and ``import_interactions`` do (interests are recomputed by the caller)."""
    events_record(
        [
            EventRow(
                source="test", external_id=key, customer_id=customer_id, product_id=product_id,
                kind=InteractionKind.PURCHASE, occurred_at=at,
                metadata={} if quantity is None else {"quantity": quantity},
            )
        ],
        recompute_interests=False,
    )  # fmt: skip


@dataclass
class Shop:
    customers: dict[str, int]
    products: dict[str, int]

    def buy(self, customer: str, sku: str, line: str, quantity: int = 2, invoice: str = "") -> None:
        buy(self.customers[customer], self.products[sku], line, quantity=quantity, invoice=invoice)

    def buy_by_event(
        self, customer: str, sku: str, key: str, quantity: int | None = None, at: datetime = SOLD_AT
    ) -> None:
        buy_by_event(self.customers[customer], self.products[sku], key, quantity=quantity, at=at)

    def newcomer(self, external_id: str) -> int:
        """A customer who has bought nothing yet."""
        customer = Customer.objects.create(external_id=external_id, name=external_id.title())
        self.customers[external_id] = customer.pk
        return customer.pk


def shop() -> Shop:
    """Two customers and three products, and what they bought."""
    products = catalog(PRODUCT_NAMES)
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
    interests_recompute(list(customers.values()))
    return built


@dataclass
class World:
    """Two customers, one with a login, and an API client for every kind of caller."""

    ada: Customer  # has a login
    bob: Customer
    clients: dict[str, APIClient]

    def purchase_of(self, customer: Customer) -> int:
        return customer.purchases.values_list("pk", flat=True).first()  # type: ignore[return-value]

    def interest_of(self, customer: Customer) -> int:
        return CustomerInterest.objects.filter(customer=customer).values_list("pk", flat=True).first()  # type: ignore[return-value]


def world() -> World:
    products = catalog(["85123A", "22086"])
    users = get_user_model().objects
    ada_login = users.create_user("ada", password=PASSWORD)
    ada = Customer.objects.create(external_id="ada-1", email="ada@example.com", user=ada_login)
    bob = Customer.objects.create(external_id="bob-2", email="bob@example.com")
    for index, customer in enumerate((ada, bob)):
        buy(customer.pk, products["22086"], f"p-{index}", invoice=f"I{index}")
    interests_recompute([ada.pk, bob.pk])
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


@dataclass
class Store:
    customer: Customer  # the demo's most active customer
    version: ModelVersion | None


def store(rejects_dir: Path) -> Store:
    """The demo sample of the real data set, its graph, and no model yet."""
    online_retail_import(path=DEMO_SAMPLE, rejects_path=rejects_dir / "rejects.csv")
    graph_rebuild()
    customer = Customer.objects.annotate(lines=Count("purchases")).order_by("-lines").first()
    assert customer is not None
    return Store(customer=customer, version=None)


def make_reachable(customers: Iterable[Customer]) -> list[Customer]:
    """Give each customer an address (from its external id) and marketing consent."""
    reachable = list(customers)
    for customer in reachable:
        customer.email, customer.marketing_consent = f"{customer.external_id}@example.org", True
    Customer.objects.bulk_update(reachable, ["email", "marketing_consent"])
    return reachable


def scheduled_campaign(name: str, *, html_body: str = DEFAULT_TEMPLATE.html_body) -> Campaign:
    """A scheduled campaign to everyone reachable, fast (1,000 emails/s), with one template
    (the built-in one unless ``html_body`` says otherwise)."""
    template = EmailTemplate.objects.create(
        name=f"{name} template", subject=DEFAULT_TEMPLATE.subject, preheader=DEFAULT_TEMPLATE.preheader,
        html_body=html_body,
    )  # fmt: skip
    campaign = Campaign.objects.create(
        name=name, segment=Segment.objects.get_or_create(name="everyone")[0], state=CampaignState.SCHEDULED,
        emails_per_second=1000,
    )  # fmt: skip
    CampaignVariant.objects.create(campaign=campaign, template=template)
    return campaign


def ab_campaign(*, customers: int, shares: dict[str, int]) -> Campaign:
    """A draft campaign “Autumn” to everyone, a template per variant (“Autumn A”…, with these
    shares), and ``customers`` reachable customers (c0, c1…) with nothing bought."""
    Customer.objects.bulk_create(
        Customer(external_id=f"c{i}", email=f"c{i}@example.org", marketing_consent=True)
        for i in range(customers)
    )
    campaign = Campaign.objects.create(name="Autumn", segment=Segment.objects.create(name="all"))
    for label, share in shares.items():
        template = EmailTemplate.objects.create(name=f"Autumn {label}", subject=label, html_body="<p>hi</p>")
        CampaignVariant.objects.create(campaign=campaign, label=label, template=template, share=share)
    return campaign


def serve_blend(**changes: Any) -> Blend:
    """Make the active version serve the default blend with these changes (a version's blend is
    otherwise the one chosen at its training), and forget what was cached."""
    blend = replace(default_blend(), **changes)
    ModelVersion.objects.filter(active=True).update(blend=blend.as_json())
    recommendation_selectors._loaded.clear()
    cache.clear()
    return blend
