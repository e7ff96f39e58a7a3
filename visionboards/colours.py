"""A board's palette, taken from its images, and text colours that meet WCAG AA on it.

Contrast is WCAG 2.x's: (L1 + 0.05) / (L2 + 0.05) over relative luminances; AA asks
4.5:1 for body text and 3:1 for large text (24 px, or 18.66 px bold).
"""

from __future__ import annotations

import colorsys
from collections.abc import Iterable
from typing import cast

from PIL import Image

RGB = tuple[int, int, int]
AA_TEXT = 4.5
AA_LARGE_TEXT = 3.0
INK: RGB = (17, 17, 17)
PAPER: RGB = (250, 248, 244)
BLACK: RGB = (0, 0, 0)
WHITE: RGB = (255, 255, 255)


def relative_luminance(colour: RGB) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: RGB, second: RGB) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour(background: RGB, *, tint: RGB | None = None, large: bool = False) -> RGB:
    """``tint`` (a palette colour; soft ink or paper without one) when it reads on ``background``;
    else that colour moved toward black or white, whichever reads better, just far enough.
    Black or white itself always reaches 4.58:1 at least, so the answer always meets AA."""
    needed = AA_LARGE_TEXT if large else AA_TEXT
    extreme = BLACK if contrast_ratio(BLACK, background) >= contrast_ratio(WHITE, background) else WHITE
    start = tint if tint is not None else (INK if extreme == BLACK else PAPER)
    for step in range(11):
        moved = mix(start, extreme, step / 10)
        if contrast_ratio(moved, background) >= needed:
            return moved
    return extreme


def dominant_colours(images: Iterable[Image.Image], count: int = 5) -> list[RGB]:
    """The most common colours of the images together (median cut on small copies), most
    common first; near-whites and near-blacks (backgrounds, shadows) only when nothing else is."""
    samples = []
    for image in images:
        samples.append(image.reduce(max(1, -(-max(image.size) // 64))).convert("RGB"))  # ≤ 64 px
    if not samples:
        return []
    strip = Image.new("RGB", (64 * len(samples), 64), WHITE)
    for index, sample in enumerate(samples):
        strip.paste(sample, (64 * index, 0))
    quantized = strip.quantize(colors=count * 3, method=Image.Quantize.MEDIANCUT)
    palette = quantized.getpalette() or []
    indexed = cast(list[tuple[int, int]], quantized.getcolors() or [])  # a "P" image: palette indexes
    colours = [
        (palette[3 * i], palette[3 * i + 1], palette[3 * i + 2]) for _, i in sorted(indexed, reverse=True)
    ]
    lively = [c for c in colours if 0.03 < relative_luminance(c) < 0.85]
    return (lively or colours)[:count]


def mix(colour: RGB, other: RGB, share: float) -> RGB:
    """``colour`` moved ``share`` (0 to 1) of the way to ``other``."""
    red, green, blue = (round(a + (b - a) * share) for a, b in zip(colour, other, strict=True))
    return red, green, blue


def tile_colour(colour: RGB) -> RGB:
    """A palette colour fit to fill a tile: greys get some colour, pastels and near-blacks a
    middle lightness, so tiles look chosen rather than sampled."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*(channel / 255 for channel in colour))
    red, green, blue = colorsys.hls_to_rgb(hue, min(max(lightness, 0.32), 0.72), max(saturation, 0.38))
    return round(red * 255), round(green * 255), round(blue * 255)


def as_hex(colour: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)
