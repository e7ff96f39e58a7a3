"""The public product page, where email links lead when there is no shop of its own."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils.html import escape
from rest_framework.test import APIClient

from catalog.models import Category, Product
from tests.factories import Shop
from tests.support import fetch_media

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    return urlsplit(url).path


@pytest.mark.usefixtures("graph")
def test_the_product_links_in_an_email_lead_to_those_products_pages(
    shop: Shop, staff_client: APIClient
) -> None:
    # given a product whose SKU has a space and a slash, and ada's email, whose product links
    # are tracked clicks
    Product.objects.filter(sku="21212").update(sku="21212/B R")
    email = staff_client.post("/api/v1/customers/ada/email", {}, format="json").json()
    recommended = email["personalization"]["recommendations"]
    assert "21212/B R" in [item["sku"] for item in recommended]

    for item in recommended:
        # when she follows a product link
        click = Client().get(_path(item["url"]))
        page = Client().get(_path(click["Location"]))

        # then it leads to the platform's page of that product, which names nobody
        assert click.status_code == 302
        assert click["Location"] == f"{settings.SITE_URL}/products/{quote(item['sku'], safe='')}"
        assert page.status_code == 200
        product = Product.objects.select_related("category").get(sku=item["sku"])
        html = page.content.decode()
        assert escape(product.name) in html
        assert product.display_price in html
        assert product.category is not None
        assert product.category.name in html
        assert "Ada" not in html


def test_the_page_shows_name_picture_price_and_category(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    leaf = Category.objects.create(
        name="Mugs", slug="mugs", parent=Category.objects.create(name="Kitchen", slug="kitchen")
    )
    product = Product.objects.create(
        sku="M-1", name="BLUE POLKADOT MUG", category=leaf, price=Decimal("3.5"), currency="EUR"
    )
    product.image.save("mug.png", ContentFile(b"\x89PNG picture"))

    response = Client().get("/products/M-1")

    html = response.content.decode()
    assert response.status_code == 200
    assert "BLUE POLKADOT MUG" in html
    assert "€3.50" in html
    assert 'data-currency="EUR"' in html
    assert "Kitchen › Mugs" in html
    picture = html.split('<img src="', 1)[1].split('"', 1)[0]
    assert fetch_media(picture) == (200, b"\x89PNG picture")


def test_an_unknown_sku_is_a_404_page() -> None:
    response = Client().get("/products/NO-SUCH-SKU")

    assert response.status_code == 404
    assert "Product not found" in response.content.decode()
    assert "NO-SUCH-SKU" in response.content.decode()


def test_a_product_no_longer_sold_says_so() -> None:
    Product.objects.create(sku="OLD-1", name="RETIRED LANTERN", price=Decimal("9.95"), active=False)

    response = Client().get("/products/OLD-1")

    html = response.content.decode()
    assert response.status_code == 410
    assert "RETIRED LANTERN" in html
    assert "No longer available" in html
    assert "9.95" not in html


def test_the_shop_front_lists_what_is_on_sale_with_links_to_each_page(client: Client) -> None:
    # given: a product with a picture, one without, and one no longer sold
    category = Category.objects.create(name="Mugs", slug="mugs")
    pictured = Product.objects.create(sku="P-1", name="Polka mug", price=Decimal("3.50"), category=category)
    pictured.image.save("polka.png", ContentFile(b"not really a png"), save=True)
    Product.objects.create(sku="P-2", name="Plain mug", price=Decimal("2.00"), category=category)
    Product.objects.create(sku="P-3", name="Old mug", price=Decimal("1.00"), category=category, active=False)

    # when someone follows the shop's link in an email (SITE_URL itself)
    page = client.get("/")

    # then the products on sale show, the pictured one first, each leading to its page
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("Polka mug") < html.index("Plain mug")
    assert "Old mug" not in html
    assert 'href="/products/P-2"' in html
    assert client.get("/?page=99").status_code == 200  # past the last page: the last page
