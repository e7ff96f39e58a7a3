"""Demo products get a photo where one fits by words and category; running again changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Product
from catalog.services import demo_photos_attach

DEMO_PHOTOS = Path(__file__).resolve().parents[2] / "demo" / "product-images"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make(sku: str, name: str, image: str = "") -> Product:
    return Product.objects.create(sku=sku, name=name, image=image)


@pytest.mark.django_db
def test_a_photo_goes_to_products_it_fits_and_nowhere_else(media: Path) -> None:
    mugs = [make("1", "BLUE POLKADOT COFFEE MUG"), make("2", "CERAMIC STRAWBERRY DESIGN MUG")]
    cushion = make("3", "BLUE FLOCK CUSHION COVER")
    misfits = [
        make("4", "PIN CUSHION BABUSHKA RED"),  # sewing, not a cushion
        make("5", "ROUND CACTUS CANDLE"),  # a candle
        make("6", "WHITE HANGING HEART T-LIGHT HOLDER"),  # no photo of its kind
    ]
    own = make("7", "VINTAGE WOODEN BAR STOOL", image="products/own-photo.jpg")

    attached = demo_photos_attach(DEMO_PHOTOS)

    for mug in mugs:
        mug.refresh_from_db()
        assert mug.image.name == "products/demo/saleor-mighty-mug.png"
    cushion.refresh_from_db()
    assert cushion.image.name in (
        "products/demo/saleor-cushion-blue.png",
        "products/demo/saleor-white-parrot-cushion.png",
    )
    assert all(not Product.objects.get(pk=misfit.pk).image for misfit in misfits)
    assert Product.objects.get(pk=own.pk).image.name == "products/own-photo.jpg"  # kept
    assert attached["saleor-mighty-mug.png"] == 2
    assert sorted(path.name for path in (media / "products" / "demo").iterdir()) == sorted(
        ["saleor-mighty-mug.png", Path(cushion.image.name).name]
    )  # each file stored once, shared by its products


@pytest.mark.django_db
def test_running_again_attaches_nothing_and_stores_nothing_new(media: Path) -> None:
    make("1", "BLUE POLKADOT COFFEE MUG")
    demo_photos_attach(DEMO_PHOTOS)
    stored = sorted((media / "products" / "demo").iterdir())

    assert demo_photos_attach(DEMO_PHOTOS) == {}
    assert sorted((media / "products" / "demo").iterdir()) == stored


@pytest.mark.django_db
def test_a_folder_without_matches_is_a_readable_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"has no matches\.csv"):
        call_command("attach_demo_images", str(tmp_path))
