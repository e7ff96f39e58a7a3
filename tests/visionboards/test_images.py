"""Untrusted image bytes: what is opened, and how everything else is refused."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import numpy as np
import pytest
from PIL import Image

from visionboards.fetching import ImageRefused
from visionboards.images import cover, open_image


def encoded(image: Image.Image, kind: str) -> bytes:
    buffer = BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP", "GIF"])
def test_the_formats_we_draw_open_whatever_the_name_says(kind: str) -> None:
    image = open_image(encoded(Image.new("RGB", (64, 48), (10, 120, 200)), kind), source="photo.txt")

    assert image.size == (64, 48)
    assert image.mode == "RGB"


def test_transparency_is_kept() -> None:
    image = open_image(encoded(Image.new("RGBA", (8, 8), (0, 0, 0, 0)), "PNG"), source="cut-out.png")

    assert image.mode == "RGBA"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<html>not an image</html>", "cannot identify"),
        (encoded(Image.new("RGB", (8, 8)), "BMP"), "cannot identify"),  # a real image, not a format we draw
        (encoded(Image.new("RGB", (8, 8)), "TIFF"), "cannot identify"),
        (b"", "cannot identify"),
    ],
)
def test_what_is_not_an_image_we_draw_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(ImageRefused, match=reason):
        open_image(data, source="upload")


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_a_truncated_image_is_refused(kind: str) -> None:
    whole = encoded(Image.effect_noise((256, 256), 64).convert("RGB"), kind)

    with pytest.raises(ImageRefused, match="broken image"):
        open_image(whole[: len(whole) // 2], source="cut.jpg")


def test_a_decompression_bomb_is_refused_before_it_is_decoded(settings: Any) -> None:
    bomb = encoded(Image.new("L", (6000, 6000)), "PNG")  # 36 M pixels in a few tens of kilobytes

    assert Image.MAX_IMAGE_PIXELS == settings.VISION_BOARD_MAX_PIXELS < 36_000_000
    assert len(bomb) < 100_000
    with pytest.raises(ImageRefused, match="exceeds limit"):
        open_image(bomb, source="bomb.png")


def test_cover_fills_the_tile_and_keeps_the_subject() -> None:
    photo = Image.new("RGB", (600, 300), (255, 255, 255))
    photo.paste((200, 20, 40), (470, 100, 570, 200))  # the product, near the right edge

    tile = cover(photo, (200, 200))

    assert tile.size == (200, 200)
    pixels = np.asarray(tile)
    reds = int(((pixels[..., 0] > 150) & (pixels[..., 1] < 80)).sum())
    assert reds > 0.9 * (100 * 100 * (200 / 300) ** 2)  # the whole product is in the crop


def test_cover_of_a_plain_image_is_centred() -> None:
    tile = cover(Image.new("RGB", (300, 900), (40, 40, 40)), (300, 300))

    assert tile.size == (300, 300)
