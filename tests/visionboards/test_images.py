"""Untrusted image bytes: what is opened, and how everything else is refused."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from PIL import Image

from visionboards.fetching import ImageRefused
from visionboards.images import open_image


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
