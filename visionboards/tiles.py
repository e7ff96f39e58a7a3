"""Drawing one tile of a board into its box: a photo with a caption, or a typographic tile.

Each drawer returns the colours its text was set in and where that text's background
is, so the layout JSON can say it and tests can check the contrast on the pixels.
Text colours come from ``text_colour`` against the exact colour behind the text;
decorations behind text are shaded away from the text colour, so they only raise
its contrast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from visionboards.colours import PAPER, RGB, WHITE, as_hex, mix, relative_luminance, text_colour
from visionboards.images import cover
from visionboards.layout import Box
from visionboards.typography import Face, Fitted, draw, fit

RADIUS = 18


@dataclass(frozen=True)
class Tile:
    """What one tile shows, before it has a place."""

    kind: str  # product | interest | inspiration
    title: str
    kicker: str
    detail: str
    product_ids: tuple[int, ...]
    skus: tuple[str, ...]
    alt: str
    colour: RGB  # the tile's own colour: its background, or behind a transparent photo
    accent: RGB  # a palette colour for small text where it reads
    picture: Image.Image | None = None

    @property
    def aspect(self) -> float:
        if self.picture is not None:
            return min(max(self.picture.width / self.picture.height, 0.72), 1.5)
        return 1.25 if self.kind == "interest" else 0.86


def draw_tile(canvas: Image.Image, box: Box, tile: Tile) -> dict[str, Any]:
    """Draw ``tile`` into ``box`` of ``canvas``; the text's colours and backdrop for the JSON."""
    art = Image.new("RGB", (box.w, box.h), tile.colour)
    drawn = _typographic(art, tile) if tile.picture is None else _photo(art, tile, tile.picture)
    mask = Image.new("L", art.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, box.w - 1, box.h - 1), RADIUS, fill=255)
    canvas.paste(art, (box.x, box.y), mask)
    if "caption" in drawn:  # where on the board, not in the tile
        drawn["caption"] = {
            **drawn["caption"],
            "x": box.x + drawn["caption"]["x"],
            "y": box.y + drawn["caption"]["y"],
        }
    return drawn


def _photo(art: Image.Image, tile: Tile, photo: Image.Image) -> dict[str, Any]:
    picture = cover(photo, art.size)
    if picture.mode == "RGBA":  # a cut-out product: on a light shade of the tile's colour
        backdrop = Image.new("RGB", art.size, mix(tile.colour, WHITE, 0.78))
        backdrop.paste(picture, (0, 0), picture)
        picture = backdrop
    art.paste(picture.convert("RGB"), (0, 0))
    width, height = art.size
    inset = max(10, round(min(width, height) * 0.045))
    padding = max(10, round(width * 0.035))
    size = min(max(round(width / 17), 15), 24)
    room = width - 2 * inset - 2 * padding
    name = fit(tile.title, Face.SEMIBOLD, room, size * 3, largest=size, smallest=14, lines=2)
    kicker = _kicker(tile.kicker, room, size) if height >= 150 else None
    ink = text_colour(PAPER, tint=(17, 17, 17))
    kicker_ink = text_colour(PAPER, tint=tile.accent)
    block = (kicker.height + 4 if kicker else 0) + name.height
    chip_w = max(name.width, kicker.width if kicker else 0) + 2 * padding
    chip = Box(inset, height - inset - block - 2 * padding, chip_w, block + 2 * padding)
    canvas = ImageDraw.Draw(art)
    canvas.rounded_rectangle((chip.x, chip.y, chip.x + chip.w, chip.y + chip.h), 10, fill=PAPER)
    y = chip.y + padding
    if kicker:
        draw(canvas, kicker, chip.x + padding, y, kicker_ink)
        y += kicker.height + 4
    draw(canvas, name, chip.x + padding, y, ink)
    return {
        "caption": {"x": chip.x, "y": chip.y, "w": chip.w, "h": chip.h},
        "colours": _colours(PAPER, ink, kicker_ink if kicker else None),
    }


def _typographic(art: Image.Image, tile: Tile) -> dict[str, Any]:
    width, height = art.size
    background = tile.colour
    ink = text_colour(background)  # ink or paper: titles stay crisp on any colour
    kicker_ink = text_colour(background, tint=mix(background, PAPER, 0.6))
    canvas = ImageDraw.Draw(art)
    _decorate(canvas, tile, art.size, away_from=ink)
    padding = max(16, round(min(width, height) * 0.08))
    room = width - 2 * padding
    size = min(max(round(width / 24), 12), 18)
    kicker = _kicker(tile.kicker, room, size)
    detail = fit(tile.detail, Face.REGULAR, room, size * 3, largest=size + 1, smallest=12, lines=2)
    title_room = height - 2 * padding - kicker.height - detail.height - 2 * round(padding * 0.6)
    largest = min(max(round(width / 6.5), 22), 76 if tile.kind == "interest" else 60)
    title = fit(tile.title, Face.DISPLAY, room, max(title_room, 20), largest=largest, smallest=16, lines=5)
    draw(canvas, kicker, padding, padding, kicker_ink)
    if tile.kind == "interest":  # the name low, like a label on the colour
        title_y = height - padding - detail.height - round(padding * 0.6) - title.height
    else:
        title_y = padding + kicker.height + round(padding * 0.6)
    draw(canvas, title, padding, title_y, ink)
    draw(canvas, detail, padding, height - padding - detail.height, kicker_ink)
    return {"colours": _colours(background, ink, kicker_ink)}


def _decorate(canvas: ImageDraw.ImageDraw, tile: Tile, size: tuple[int, int], away_from: RGB) -> None:
    """Circles in a shade of the tile's colour, moved away from the text colour, so text over
    them reads at least as well as over the tile itself."""
    width, height = size
    background = tile.colour
    darker = relative_luminance(away_from) > relative_luminance(background)
    shade = mix(background, (0, 0, 0) if darker else WHITE, 0.14)
    if tile.kind == "interest":
        for step in range(3):  # rings from the top right corner
            radius = round(max(width, height) * (0.28 + 0.16 * step))
            canvas.ellipse(
                (width - radius, -radius, width + radius, radius), outline=shade, width=max(3, width // 90)
            )
    else:  # one disc from the bottom right corner
        radius = round(min(width, height) * 0.62)
        canvas.ellipse((width - radius, height - radius, width + radius, height + radius), fill=shade)


def _kicker(text: str, width: int, size: int) -> Fitted:
    return fit(
        text.upper(), Face.BOLD, width, size * 2, largest=max(12, round(size * 0.7)), smallest=12, lines=1
    )


def _colours(background: RGB, text: RGB, small: RGB | None) -> dict[str, str]:
    found = {"background": as_hex(background), "text": as_hex(text)}
    if small is not None:
        found["small_text"] = as_hex(small)
    return found
