"""A board from what it shows: tiles planned, placed by justified rows, drawn twice.

The same tiles make both formats: social (1080×1350, a header above the tiles) and
screen (1920×1080, a coloured panel with the header beside them). The palette comes
from the photos; without photos, from a house palette picked per customer. The
layout JSON says, per format, where the header and each section are, with their
text, colours, product ids and alt text, so a frontend can draw the board itself.
"""

from __future__ import annotations

import colorsys
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import zip_longest
from typing import Any

from django.conf import settings
from PIL import Image, ImageDraw

from visionboards.colours import (
    INK,
    PAPER,
    RGB,
    as_hex,
    dominant_colours,
    mix,
    text_colour,
    tile_colour,
)
from visionboards.fetching import FetchLimits, ImageRefused
from visionboards.layout import Box, justified_rows
from visionboards.pictures import NoPicture, product_picture
from visionboards.selectors import BoardInterest, BoardProduct, BoardSource
from visionboards.tiles import Tile, draw_tile
from visionboards.typography import Face, display_name, draw, fit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Format:
    name: str
    width: int
    height: int


SOCIAL = Format("social", 1080, 1350)
SCREEN = Format("screen", 1920, 1080)
FORMATS = (SOCIAL, SCREEN)
GUTTER = 14
# Warm, muted palettes for boards without photos; one is picked per customer.
HOUSE_PALETTES: tuple[tuple[RGB, ...], ...] = (
    ((38, 70, 83), (231, 111, 81), (42, 157, 143), (233, 196, 106), (244, 162, 97)),
    ((61, 64, 91), (224, 122, 95), (129, 178, 154), (242, 204, 143), (184, 134, 168)),
    ((53, 80, 112), (181, 101, 118), (109, 89, 122), (234, 172, 139), (229, 107, 111)),
    ((40, 54, 24), (188, 108, 37), (96, 108, 56), (221, 161, 94), (164, 74, 63)),
)


@dataclass
class ComposedBoard:
    images: dict[str, Image.Image]  # format name → picture
    layout: dict[str, Any]
    fallbacks: list[dict[str, Any]]


def compose(
    source: BoardSource,
    *,
    now: datetime,
    limits: FetchLimits | None = None,
    formats: Sequence[Format] = FORMATS,
) -> ComposedBoard:
    """``source``'s board in each format (both by default). Never fails for a picture: a product
    whose picture cannot be used gets a typographic tile, and the reason goes to ``fallbacks``
    and the log."""
    limits = limits or FetchLimits.configured()
    plan = _plan(source)
    shown = [item for item in plan if isinstance(item, Shown)]
    pictures, fallbacks = _pictures(source.customer_id, [item.product for item in shown], limits)
    palette = _palette(list(pictures.values()), source.customer_id)
    tiles = _tiles(plan, pictures, palette)
    header = _header_text(source, now)
    images: dict[str, Image.Image] = {}
    layout: dict[str, Any] = {"palette": [as_hex(colour) for colour in palette], "formats": {}}
    for board_format in formats:
        images[board_format.name], layout["formats"][board_format.name] = _draw(
            board_format, tiles, header, palette
        )
    return ComposedBoard(images, layout, fallbacks)


def _pictures(
    customer_id: int, products: list[BoardProduct], limits: FetchLimits
) -> tuple[dict[int, Image.Image], list[dict[str, Any]]]:
    """The products' pictures by product id; each picture once per board (the same photo on two
    products, e.g. a shared demo photo, leaves the second typographic)."""
    pictures: dict[int, Image.Image] = {}
    fallbacks: list[dict[str, Any]] = []
    used: set[str] = set()
    for product in products:
        picture = product.image or product.image_url
        if picture and picture in used:
            fallbacks.append(
                {
                    "product_id": product.product_id,
                    "sku": product.sku,
                    "reason": "the same photo as another tile",
                }
            )
            continue
        used.add(picture)
        try:
            pictures[product.product_id] = product_picture(product, limits)
        except ImageRefused as refused:
            fallbacks.append({"product_id": product.product_id, "sku": product.sku, "reason": str(refused)})
            if not isinstance(refused, NoPicture):
                logger.warning(
                    "Vision board of customer %s: a typographic tile for product %s: %s",
                    customer_id, product.product_id, refused,
                )  # fmt: skip
    return pictures, fallbacks


def _palette(pictures: list[Image.Image], customer_id: int) -> list[RGB]:
    """Up to five colours that differ: the photos' own first, then the house palette's."""
    house = HOUSE_PALETTES[customer_id % len(HOUSE_PALETTES)]
    found: list[RGB] = []
    for colour in dominant_colours(pictures, count=5):
        if all(_distinct(colour, kept) for kept in found):
            found.append(colour)
    return [*found, *(colour for colour in house if all(_distinct(colour, kept) for kept in found))][:5]


def _distinct(colour: RGB, other: RGB) -> bool:
    hue, lightness, _ = colorsys.rgb_to_hls(*(channel / 255 for channel in colour))
    other_hue, other_lightness, _ = colorsys.rgb_to_hls(*(channel / 255 for channel in other))
    turn = abs(hue - other_hue)
    return min(turn, 1 - turn) > 0.07 or abs(lightness - other_lightness) > 0.3


@dataclass(frozen=True)
class Shown:
    kind: str  # product or inspiration
    product: BoardProduct


def _plan(source: BoardSource) -> list[Shown | BoardInterest]:
    """What the tiles show, in order: recommendations, with interests and recent purchases woven
    in at every third place (a third of the board at most, unless recommendations run short).
    A recommendation that is also a recent purchase (a re-purchase) shows once."""
    count = settings.VISION_BOARD_TILES
    recent_ids = {product.product_id for product in source.recent}
    recent = [Shown("inspiration", product) for product in source.recent]
    woven: list[Shown | BoardInterest] = [
        item for pair in zip_longest(source.interests, recent) for item in pair if item is not None
    ]
    recommended: list[Shown | BoardInterest] = [
        Shown("product", product) for product in source.recommended if product.product_id not in recent_ids
    ]
    woven = woven[: max(count // 3, count - len(recommended))]
    recommended = recommended[: count - len(woven)]
    return [
        woven.pop(0) if woven and (index % 3 == 1 or not recommended) else recommended.pop(0)
        for index in range(len(woven) + len(recommended))
    ]


def _tiles(
    plan: list[Shown | BoardInterest], pictures: dict[int, Image.Image], palette: list[RGB]
) -> list[Tile]:
    colours = [tile_colour(colour) for colour in palette]
    tiles = []
    for index, item in enumerate(plan):
        colour, accent = colours[(index + 1) % len(colours)], palette[index % len(palette)]
        if isinstance(item, BoardInterest):
            name = display_name(item.name)
            tiles.append(
                Tile(
                    "interest", name, "You love", "", (), (), f"{name}, one of your interests", colour, accent
                )
            )
        else:
            picture = pictures.get(item.product.product_id)
            tiles.append(_product_tile(item.kind, item.product, picture, colour, accent))
    return tiles


def _product_tile(
    kind: str, product: BoardProduct, picture: Image.Image | None, colour: RGB, accent: RGB
) -> Tile:
    name = display_name(product.name)
    kicker = "You bought" if kind == "inspiration" else f"For you · {product.price}"
    alt = f"{name}: {product.reason}" if picture else f"{name} (no photo): {product.reason}"
    return Tile(
        kind,
        name,
        kicker,
        product.reason,
        (product.product_id,),
        (product.sku,),
        alt,
        colour,
        accent,
        picture,
    )


@dataclass(frozen=True)
class HeaderText:
    kicker: str
    title: str
    line: str


def _header_text(source: BoardSource, now: datetime) -> HeaderText:
    title = f"For {source.first_name}" if source.first_name else "Chosen for you"
    loves = [interest.name for interest in source.interests]
    if loves:
        line = f"{' and '.join(loves)}: what you love, and new finds to go with it."
    else:
        line = "What you love, and new finds to go with it."
    return HeaderText(f"{settings.COMPANY_NAME} · Vision board · {now:%B %Y}", title, line)


def _draw(
    board_format: Format, tiles: list[Tile], header: HeaderText, palette: list[RGB]
) -> tuple[Image.Image, dict[str, Any]]:
    background = mix(tile_colour(palette[0]), PAPER, 0.9)
    canvas = Image.new("RGB", (board_format.width, board_format.height), background)
    if board_format is SOCIAL:
        margin = 48
        header_box = Box(margin, margin, board_format.width - 2 * margin, 236)
        grid = Box(margin, header_box.y + header_box.h + 20, header_box.w, 0)
        grid = Box(grid.x, grid.y, grid.w, board_format.height - margin - grid.y)
        header_background = background
    else:
        margin = 40
        panel = Box(0, 0, 600, board_format.height)
        header_background = tile_colour(palette[0])
        ImageDraw.Draw(canvas).rectangle((0, 0, panel.w - 1, panel.h - 1), fill=header_background)
        header_box = Box(64, 96, panel.w - 128, board_format.height - 192)
        grid = Box(
            panel.w + margin,
            margin,
            board_format.width - panel.w - 2 * margin,
            board_format.height - 2 * margin,
        )
    header_json = _draw_header(
        canvas, header_box, header, header_background, palette[0], board_format is SCREEN
    )
    sections = []
    for tile, box in zip(tiles, justified_rows([tile.aspect for tile in tiles], grid, GUTTER), strict=True):
        drawn = draw_tile(canvas, box, tile)
        sections.append(
            {
                "type": tile.kind,
                "content": {"title": tile.title, "kicker": tile.kicker, "detail": tile.detail,
                            "photo": tile.picture is not None},
                "product_ids": list(tile.product_ids),
                "skus": list(tile.skus),
                "alt": tile.alt,
                "x": box.x, "y": box.y, "w": box.w, "h": box.h,
                **drawn,
            }
        )  # fmt: skip
    return canvas, {
        "width": board_format.width,
        "height": board_format.height,
        "background": as_hex(background),
        "header": header_json,
        "sections": sections,
    }


def _draw_header(
    canvas: Image.Image, box: Box, header: HeaderText, background: RGB, tint: RGB, stacked: bool
) -> dict[str, Any]:
    """Kicker, title and line; beside the tiles (``stacked``, screen) they stand at the panel's
    foot, above the tiles (social) they fill the band."""
    ink = text_colour(background)
    soft = text_colour(background, tint=mix(tile_colour(tint), INK, 0.3))
    kicker = fit(header.kicker.upper(), Face.BOLD, box.w, 40, largest=20, smallest=12, lines=2)
    title = fit(header.title, Face.DISPLAY, box.w, 260 if stacked else 110,
                largest=112 if stacked else 92, smallest=40, lines=3 if stacked else 1)  # fmt: skip
    line = fit(header.line, Face.REGULAR, box.w, 160 if stacked else 80,
               largest=34 if stacked else 30, smallest=18, lines=4 if stacked else 2)  # fmt: skip
    gap = 18
    total = kicker.height + title.height + line.height + 2 * gap
    y = box.y + box.h - total if stacked else box.y
    drawer = ImageDraw.Draw(canvas)
    draw(drawer, kicker, box.x, y, soft)
    draw(drawer, title, box.x, y + kicker.height + gap, ink)
    draw(drawer, line, box.x, y + kicker.height + title.height + 2 * gap, soft)
    return {
        "kicker": header.kicker,
        "title": header.title,
        "line": header.line,
        "x": box.x, "y": y, "w": box.w, "h": total,
        "colours": {"background": as_hex(background), "text": as_hex(ink), "small_text": as_hex(soft)},
    }  # fmt: skip
