"""Admin pages read as staff read: money with its currency and two decimals, JSON as labelled
lines and tables, purchases by invoice and product rather than by their keys."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from model_bakery import baker

from catalog.models import Product
from customers.models import Customer, CustomerInterest, InteractionEvent, Purchase
from graph.port import close_graph
from recommendations.models import ModelStatus, ModelVersion
from tests.factories import PRODUCT_NAMES, Shop
from visionboards.models import VisionBoard


@pytest.mark.usefixtures("graph")
def test_a_customers_page_shows_money_evidence_and_purchases_readably(
    admin_client: Client, shop: Shop
) -> None:
    ada = shop.customers["ada"]

    page = admin_client.get(f"/admin/customers/customer/{ada}/change/").content.decode()

    # two lines of 2 × £2.55
    assert "1 orders, 2 lines, £10.20 spent (£0.00 returned)" in page
    assert re.search(r'class="field-unit_price_shown">\s*<p>£2.55</p>', page)
    assert re.search(r'class="field-purchase_amount">\s*<p>£5.10</p>', page)
    assert "Sale on invoice I-1" in page  # each row named by its invoice, not by its key
    assert "test:1" not in page
    assert f"85123A · {PRODUCT_NAMES['85123A']}" in page
    assert "<dt>Lines:</dt> <dd>1</dd>" in page  # the evidence of each interest
    assert "<dt>Last purchase:</dt> <dd>1 Dec 2011, 08:26</dd>" in page
    assert "&quot;lines&quot;" not in page


def test_a_customers_page_without_a_graph_says_so_without_naming_server_folders(
    admin_client: Client, shop: Shop, settings: Any, tmp_path: Path
) -> None:
    settings.NEO4J_URL = ""
    settings.GRAPH_DIR = tmp_path / "never-built"
    close_graph()

    page = admin_client.get(f"/admin/customers/customer/{shop.customers['ada']}/change/").content.decode()

    assert "No graph has been built yet; `manage.py graph rebuild` builds it." in page
    assert "never-built" not in page
    close_graph()


def test_lists_show_prices_and_amounts_with_their_currency(admin_client: Client, shop: Shop) -> None:
    Product.objects.filter(sku="21212").update(price=Decimal("1234.5"), currency="SEK")

    products = admin_client.get("/admin/catalog/product/").content.decode()
    purchases = admin_client.get("/admin/customers/purchase/").content.decode()

    assert '<td class="field-price_shown">£2.55</td>' in products
    assert '<td class="field-price_shown">1,234.50 SEK</td>' in products
    assert '<td class="field-purchase_amount">£5.10</td>' in purchases


@pytest.mark.django_db
def test_an_interest_and_an_event_show_their_json_as_labelled_lines(admin_client: Client) -> None:
    interest = baker.make(
        CustomerInterest, source="purchases", confidence=0.5,
        evidence={"lines": 3, "quantity": 1200, "last_purchase": "2011-12-09T12:50:00+00:00"},
    )  # fmt: skip
    baker.make(
        InteractionEvent, kind="view", occurred_at=datetime(2011, 5, 1, tzinfo=UTC),
        metadata={"quantity": 2, "rating": 4.5, "campaign": "<b>spring</b>"},
    )  # fmt: skip

    interest_page = admin_client.get(
        f"/admin/customers/customerinterest/{interest.pk}/change/"
    ).content.decode()
    events = admin_client.get("/admin/customers/interactionevent/").content.decode()

    assert "<dt>Quantity:</dt> <dd>1,200</dd>" in interest_page
    assert "<dt>Last purchase:</dt> <dd>9 Dec 2011, 12:50</dd>" in interest_page
    assert "<dt>Rating:</dt> <dd>4.5</dd>" in events
    assert "<dt>Campaign:</dt> <dd>&lt;b&gt;spring&lt;/b&gt;</dd>" in events  # shown, never run


@pytest.mark.django_db
def test_a_model_versions_parameters_and_data_read_as_lines(admin_client: Client) -> None:
    version = ModelVersion.objects.create(
        status=ModelStatus.READY,
        parameters={
            "no_components": 32,
            "loss": "warp",
            "item_alpha": 1e-6,
            "features": ["country", "interest"],
        },
        data={"customers": 4338, "interactions": 397884},
    )

    page = admin_client.get(f"/admin/recommendations/modelversion/{version.pk}/change/").content.decode()

    assert "<dt>No components:</dt> <dd>32</dd>" in page
    assert "<dt>Item alpha:</dt> <dd>1e-06</dd>" in page
    assert "<dt>Features:</dt> <dd>country, interest</dd>" in page
    assert "<dt>Interactions:</dt> <dd>397,884</dd>" in page
    assert "[&quot;country&quot;" not in page


@pytest.mark.django_db
def test_a_purchase_is_named_by_its_invoice() -> None:
    sale = baker.prepare(
        Purchase, kind="sale", invoice="536365", source="online-retail", external_id="536365-1"
    )
    refund = baker.prepare(Purchase, kind="return", invoice="", source="api", external_id="r-9")

    assert str(sale) == "Sale on invoice 536365"
    assert str(refund) == "Return / cancellation on api line r-9"


@pytest.mark.django_db
def test_a_purchase_is_entered_by_picking_customer_and_product_by_name(admin_client: Client) -> None:
    customer = baker.make(Customer, external_id="12345", name="Ada Lovelace")
    product = baker.make(Product, sku="85123A", name="HEART T-LIGHT HOLDER")
    purchase = baker.make(Purchase, customer=customer, product=product, quantity=1, unit_price=1, amount=1)

    page = admin_client.get(f"/admin/customers/purchase/{purchase.pk}/change/").content.decode()

    assert 'class="admin-autocomplete' in page
    assert f'<option value="{customer.pk}" selected>Ada Lovelace</option>' in page
    assert f'<option value="{product.pk}" selected>85123A · HEART T-LIGHT HOLDER</option>' in page


@pytest.mark.django_db
def test_a_boards_page_names_its_products(admin_client: Client) -> None:
    lantern = baker.make(Product, sku="85123A", name="HEART T-LIGHT HOLDER")
    tile = {"type": "product", "content": {"title": "Picked for you"}, "product_ids": [lantern.pk],
            "x": 0, "y": 0, "w": 540, "h": 540, "alt": "A heart t-light holder"}  # fmt: skip
    board = baker.make(
        VisionBoard, layout={"formats": {"social": {"sections": [tile]}}},
        fallbacks=[{"product_id": lantern.pk, "reason": "no picture"}],
    )  # fmt: skip

    page = admin_client.get(f"/admin/visionboards/visionboard/{board.pk}/change/").content.decode()

    assert "products 85123A · HEART T-LIGHT HOLDER · at 0, 0" in page
    assert "<div>85123A · HEART T-LIGHT HOLDER: no picture</div>" in page
