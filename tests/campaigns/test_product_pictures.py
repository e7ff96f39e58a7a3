"""Recommended products in an email show the picture a vision board would use, at an address
an email client can load; a product without one (or whose photo is already shown) gets its tile."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from campaigns.rendering.defaults import DEFAULT_TEMPLATE
from campaigns.services.emails import email_preview
from catalog.models import Product
from customers.models import Customer
from tests.factories import Shop
from tests.support import fetch_media

TILE = re.compile(r'<td class="tile"[^>]*>([^<]*)</td>')


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://marketing.example.com"


def photo() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 60)).save(data, "PNG")
    return data.getvalue()


def pictures_and_tiles(shop: Shop) -> tuple[list[str], list[str]]:
    """The email of a customer without history (so the shop's three bestsellers)."""
    newcomer = Customer.objects.get(pk=shop.newcomer("cy"))
    html = email_preview(source=DEFAULT_TEMPLATE, customer=newcomer).rendered.html
    return re.findall(r'<img src="([^"]+)"', html), TILE.findall(html)


def test_a_product_with_a_photo_shows_it_at_an_absolute_address_that_is_served(shop: Shop) -> None:
    # given a stored photo on one product, none on the others
    content = photo()
    name = default_storage.save("products/demo/heart.png", ContentFile(content))
    Product.objects.filter(sku="85123A").update(image=name)

    # when
    pictures, tiles = pictures_and_tiles(shop)

    # then
    assert pictures == [f"https://marketing.example.com/media/{name}"]
    assert fetch_media(pictures[0]) == (200, content)
    assert sorted(unescape(tile).upper() for tile in tiles) == [
        "PACK OF 72 RETROSPOT CAKE CASES",
        "PAPER CHAIN KIT 50'S CHRISTMAS",
    ]


def test_a_picture_elsewhere_is_used_when_no_photo_is_stored(shop: Shop) -> None:
    Product.objects.filter(sku="22086").update(image_url="https://cdn.shop.test/paper-chain.jpg")

    pictures, tiles = pictures_and_tiles(shop)

    assert pictures == ["https://cdn.shop.test/paper-chain.jpg"]
    assert len(tiles) == 2


def test_a_photo_several_products_share_is_shown_once(shop: Shop) -> None:
    name = default_storage.save("products/demo/shared.png", ContentFile(photo()))
    Product.objects.filter(sku__in=["85123A", "22086", "21212"]).update(image=name)

    pictures, tiles = pictures_and_tiles(shop)

    assert pictures == [f"https://marketing.example.com/media/{name}"]
    assert len(tiles) == 2
