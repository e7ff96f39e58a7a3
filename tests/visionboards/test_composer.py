"""Boards drawn from photos in media storage: the JSON says where everything is, and the PNG agrees."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from tests.visionboards.loopback import Handler
from visionboards.colours import RGB, contrast_ratio
from visionboards.composer import FORMATS, compose
from visionboards.fetching import FetchLimits
from visionboards.layout import Box
from visionboards.selectors import BoardInterest, BoardProduct, BoardSource

NOW = datetime(2026, 11, 25, tzinfo=UTC)
LIMITS = FetchLimits(max_bytes=2_000_000, seconds=1.0)
# Clearly different solid colours, so each photo tile can be found on the board by its colour.
COLOURS: list[RGB] = [
    (200, 30, 40), (30, 160, 60), (40, 60, 200), (230, 180, 20), (150, 40, 160),
    (20, 170, 190), (240, 120, 30), (90, 90, 90), (120, 200, 120),
]  # fmt: skip
SIZES = [
    (800, 600),
    (600, 800),
    (700, 700),
    (900, 500),
    (500, 900),
    (640, 480),
    (480, 640),
    (1000, 600),
    (600, 600),
]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VISION_BOARD_TILES = 9


def stored(name: str, data: bytes) -> str:
    return default_storage.save(f"products/{name}", ContentFile(data))


def solid_jpeg(colour: RGB, size: tuple[int, int]) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def product(pk: int, image: str = "", name: str = "", image_url: str = "") -> BoardProduct:
    return BoardProduct(
        pk,
        f"SKU-{pk}",
        name or f"PRODUCT NUMBER {pk} WITH A NAME",
        "£2.95",
        "Because you bought a mug",
        image,
        image_url,
    )


def source(recommended: list[BoardProduct], recent: list[BoardProduct] | None = None) -> BoardSource:
    return BoardSource(
        customer_id=7,
        first_name="Ada",
        interests=[
            BoardInterest("Christmas", "christmas", 0.9),
            BoardInterest("Tableware", "tableware", 0.5),
        ],
        recent=recent or [],
        recommended=recommended,
    )


def photo_board_source() -> BoardSource:
    photos = [
        product(pk, stored(f"p{pk}.jpg", solid_jpeg(COLOURS[pk], SIZES[pk]))) for pk in range(len(COLOURS))
    ]
    return source(photos[2:], recent=photos[:2])


def near(pixel: Any, colour: RGB, tolerance: int = 6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def hex_colour(text: str) -> RGB:
    return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)


def share_of(image: Image.Image, box: Box, colour: RGB) -> float:
    """How much of ``box`` is ``colour``, on a 16-pixel grid."""
    points = [(x, y) for x in range(box.x, box.x + box.w, 16) for y in range(box.y, box.y + box.h, 16)]
    return sum(near(image.getpixel(point), colour) for point in points) / len(points)


def test_every_section_is_inside_the_canvas_and_no_two_overlap() -> None:
    board = compose(photo_board_source(), now=NOW, limits=LIMITS)

    for board_format in FORMATS:
        drawn = board.layout["formats"][board_format.name]
        assert board.images[board_format.name].size == (board_format.width, board_format.height)
        assert (drawn["width"], drawn["height"]) == (board_format.width, board_format.height)
        header = drawn["header"]
        boxes = [Box(s["x"], s["y"], s["w"], s["h"]) for s in drawn["sections"]]
        assert len(boxes) == 9
        for index, box in enumerate([*boxes, Box(header["x"], header["y"], header["w"], header["h"])]):
            assert min(box.x, box.y) >= 0, board_format
            assert box.x + box.w <= board_format.width
            assert box.y + box.h <= board_format.height
            assert not any(box.overlaps(other) for other in boxes[index + 1 :]), board_format


def test_each_section_is_drawn_where_the_layout_says() -> None:
    board = compose(photo_board_source(), now=NOW, limits=LIMITS)

    for board_format in FORMATS:
        image = board.images[board_format.name].convert("RGB")
        drawn = board.layout["formats"][board_format.name]
        background = hex_colour(drawn["background"])
        for section in drawn["sections"]:
            box = Box(section["x"], section["y"], section["w"], section["h"])
            colour = (
                COLOURS[section["product_ids"][0]]
                if section["content"]["photo"]
                else hex_colour(section["colours"]["background"])
            )
            # the section's own colour fills most of its box …
            assert share_of(image, box, colour) > 0.4, (board_format.name, section["content"]["title"])
            # … and just outside each edge there is the board's background (a gutter or a margin)
            middle_x, middle_y = box.x + box.w // 2, box.y + box.h // 2
            for outside in ((box.x - 4, middle_y), (box.x + box.w + 3, middle_y), (middle_x, box.y - 4),
                            (middle_x, box.y + box.h + 3)):  # fmt: skip
                assert near(image.getpixel(outside), background), (board_format.name, section["alt"], outside)


def test_sections_carry_type_content_product_ids_and_alt_text() -> None:
    board = compose(photo_board_source(), now=NOW, limits=LIMITS)

    sections = board.layout["formats"]["social"]["sections"]
    kinds = [section["type"] for section in sections]
    # a third of the board for interests and purchases (woven in), the rest recommendations, leading
    assert kinds == [
        "product",
        "interest",
        "product",
        "product",
        "inspiration",
        "product",
        "product",
        "interest",
        "product",
    ]
    for section in sections:
        assert section["alt"]
        if section["type"] == "interest":
            assert section["product_ids"] == []
            assert section["skus"] == []
            assert section["content"]["title"] in ("Christmas", "Tableware")
        else:
            assert len(section["product_ids"]) == 1
            assert section["skus"] == [f"SKU-{section['product_ids'][0]}"]
            assert section["content"]["title"] == f"Product Number {section['product_ids'][0]} with a Name"
    header = board.layout["formats"]["social"]["header"]
    assert header["title"] == "For Ada"
    assert "Christmas" in header["line"]


def test_every_text_meets_wcag_aa_on_the_colour_it_is_drawn_on() -> None:
    half_photos = photo_board_source()
    typographic = source([product(pk) for pk in range(10, 19)])  # no photos: house colours

    for board in (compose(half_photos, now=NOW, limits=LIMITS), compose(typographic, now=NOW, limits=LIMITS)):
        for board_format in FORMATS:
            image = board.images[board_format.name].convert("RGB")
            drawn = board.layout["formats"][board_format.name]
            for part in [drawn["header"], *drawn["sections"]]:
                colours = part["colours"]
                backdrop = hex_colour(colours["background"])
                for text in ("text", "small_text"):
                    assert contrast_ratio(hex_colour(colours[text]), backdrop) >= 4.5, part.get(
                        "alt", "header"
                    )
                if "caption" in part:  # the caption's backdrop is really there, under the text
                    caption = part["caption"]
                    assert near(
                        image.getpixel((caption["x"] + 4, caption["y"] + caption["h"] // 2)), backdrop
                    )


def test_a_board_without_any_data_is_still_a_designed_board() -> None:
    empty = BoardSource(customer_id=3, first_name="", recommended=[product(pk) for pk in range(3)])

    board = compose(empty, now=NOW, limits=LIMITS)

    social = board.layout["formats"]["social"]
    assert social["header"]["title"] == "Chosen for you"
    assert [section["type"] for section in social["sections"]] == ["product"] * 3
    assert len(board.layout["palette"]) == 5


def bomb_png() -> bytes:
    buffer = BytesIO()
    Image.new("1", (6000, 6000)).save(buffer, "PNG")  # 36 M pixels in a few kB
    return buffer.getvalue()


class Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_pictures_that_cannot_be_used_become_typographic_tiles_with_the_reason_logged(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the composer's own logger at WARNING, whatever an earlier test did to the logging tree
    # (a test worker sets the root level to ERROR)
    collected, composer_log = Collected(), logging.getLogger("visionboards.composer")
    monkeypatch.setattr(composer_log, "disabled", False)
    level = composer_log.level
    composer_log.setLevel(logging.WARNING)
    composer_log.addHandler(collected)
    settings.VISION_BOARD_MAX_PIXELS = 25_000_000
    Image.MAX_IMAGE_PIXELS = settings.VISION_BOARD_MAX_PIXELS
    good = solid_jpeg((200, 30, 40), (400, 300))
    bmp = BytesIO()
    Image.new("RGB", (40, 40)).save(bmp, "BMP")
    broken = [
        product(1, stored("truncated.jpg", good[: len(good) // 2])),
        product(2, stored("text.jpg", b"<html>not an image</html>")),
        product(3, stored("bomb.png", bomb_png())),
        product(4, stored("bitmap.bmp", bmp.getvalue())),
        product(5, stored("huge.jpg", good + b"\0" * 2_000_000)),
        product(6, "products/deleted.jpg"),
        product(7, image_url="http://10.1.2.3/photo.jpg"),
        product(8, image_url="file:///etc/passwd"),
    ]
    working = product(9, stored("fine.jpg", good))

    only_products = BoardSource(customer_id=7, first_name="Ada", recommended=[*broken, working])

    try:
        board = compose(only_products, now=NOW, limits=LIMITS)
    finally:
        composer_log.removeHandler(collected)
        composer_log.setLevel(level)

    reasons = {fallback["product_id"]: fallback["reason"] for fallback in board.fallbacks}
    assert set(reasons) == set(range(1, 9))
    assert "broken" in reasons[1]
    assert "cannot identify" in reasons[2]
    assert "pixels" in reasons[3]
    assert "more than" in reasons[5]
    assert "cannot be read" in reasons[6]
    assert "not fetched from" in reasons[7]
    assert "http and https" in reasons[8]
    photos = {
        s["product_ids"][0]: s["content"]["photo"]
        for s in board.layout["formats"]["social"]["sections"]
        if s["product_ids"]
    }
    assert photos == {**dict.fromkeys(range(1, 9), False), 9: True}
    logged = collected.messages
    assert len(logged) == 8
    assert all("typographic tile" in message for message in logged)


def test_one_photo_shows_once_per_board() -> None:
    shared = stored("mug.jpg", solid_jpeg((40, 60, 200), (500, 500)))

    board = compose(source([product(pk, shared) for pk in range(3)]), now=NOW, limits=LIMITS)

    sections = board.layout["formats"]["social"]["sections"]
    assert [s["content"]["photo"] for s in sections if s["type"] == "product"] == [True, False, False]
    assert {f["reason"] for f in board.fallbacks} == {"the same photo as another tile"}


def test_remote_pictures_go_through_the_safe_fetcher(settings: Any, server: str) -> None:
    # the test server is on loopback: allowed the way a deployment allows its own image server
    settings.VISION_BOARD_FETCH_ALSO_FROM = ["127.0.0.1/32"]
    remote = [
        product(1, image_url=f"{server}/photo.png"),
        product(2, image_url=f"{server}/drip"),
        product(3, image_url=f"{server}/to-metadata"),
    ]

    board = compose(BoardSource(customer_id=7, first_name="", recommended=remote), now=NOW, limits=LIMITS)

    photos = [section["content"]["photo"] for section in board.layout["formats"]["social"]["sections"]]
    assert photos == [True, False, False]
    reasons = {fallback["product_id"]: fallback["reason"] for fallback in board.fallbacks}
    assert "too slow" in reasons[2]
    assert "169.254.169.254" in reasons[3]


@pytest.mark.object_store
def test_a_fetched_picture_is_kept_and_fetched_again_only_once_old(settings: Any, server: str) -> None:
    settings.VISION_BOARD_FETCH_ALSO_FROM = ["127.0.0.1/32"]
    source = BoardSource(
        customer_id=7, first_name="", recommended=[product(1, image_url=f"{server}/kept.png")]
    )
    before = Handler.requests["/kept.png"]

    boards = [compose(source, now=NOW, limits=LIMITS) for _ in range(3)]

    for board in boards:
        sections = board.layout["formats"]["social"]["sections"]
        assert [s["content"]["photo"] for s in sections if s["type"] == "product"] == [True]
    assert Handler.requests["/kept.png"] - before == 1  # fetched once, then the kept copy
    settings.VISION_BOARD_FETCHED_SECONDS = 0
    compose(source, now=NOW, limits=LIMITS)
    assert Handler.requests["/kept.png"] - before == 2  # too old: fetched anew
