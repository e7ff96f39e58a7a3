from __future__ import annotations

import pytest
from PIL import Image

from visionboards.colours import (
    AA_LARGE_TEXT,
    AA_TEXT,
    RGB,
    contrast_ratio,
    dominant_colours,
    relative_luminance,
    text_colour,
)


def test_contrast_is_wcags() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((255, 255, 255), (255, 255, 255)) == pytest.approx(1.0)
    assert contrast_ratio((118, 118, 118), (255, 255, 255)) == pytest.approx(
        4.54, abs=0.01
    )  # the known AA grey
    assert relative_luminance((255, 0, 0)) == pytest.approx(0.2126)


BACKGROUNDS: list[RGB] = [
    (255, 255, 255),
    (0, 0, 0),
    (119, 119, 119),
    (200, 30, 60),
    (250, 220, 90),
    (20, 60, 140),
]
TINTS: list[RGB | None] = [None, (255, 255, 255), (230, 120, 40), (30, 160, 120), (120, 120, 120)]


@pytest.mark.parametrize("background", BACKGROUNDS)
@pytest.mark.parametrize("tint", TINTS)
@pytest.mark.parametrize("large", [False, True])
def test_text_always_meets_aa(background: RGB, tint: RGB | None, large: bool) -> None:
    colour = text_colour(background, tint=tint, large=large)

    assert contrast_ratio(colour, background) >= (AA_LARGE_TEXT if large else AA_TEXT)


def test_a_tint_that_reads_is_kept_and_one_that_does_not_is_moved_only_so_far() -> None:
    assert text_colour((255, 255, 255), tint=(20, 60, 140)) == (20, 60, 140)
    moved = text_colour((255, 255, 255), tint=(230, 120, 40))
    assert moved != (17, 17, 17)  # still a shade of the orange, not plain ink
    assert moved[0] > moved[2]


def test_the_palette_comes_from_the_images() -> None:
    red = Image.new("RGB", (100, 100), (200, 30, 40))
    teal = Image.new("RGB", (100, 50), (20, 150, 140))
    white = Image.new("RGB", (100, 100), (255, 255, 255))

    colours = dominant_colours([red, teal, white])

    assert colours[0] == pytest.approx((200, 30, 40), abs=8)
    assert any(abs(c[1] - 150) < 10 and abs(c[2] - 140) < 10 for c in colours)
    assert (255, 255, 255) not in colours  # the white background is not a colour of the board
    assert dominant_colours([]) == []
