"""Layout invariants over many tile mixes: inside the canvas, no overlaps, the box filled."""

from __future__ import annotations

import random

import pytest

from visionboards.layout import Box, justified_rows

CANVASES = [Box(48, 260, 984, 1042), Box(64, 64, 1792, 952)]  # the social and screen content boxes


def tile_mixes() -> list[list[float]]:
    chooser = random.Random(7)
    mixes = [[1.0], [1.5, 0.75], [1.0] * 9, [3.0, 0.3, 1.0, 1.0]]
    for _ in range(60):
        mixes.append(
            [chooser.choice([0.5, 0.75, 1.0, 1.33, 1.5, 2.0]) for _ in range(chooser.randint(1, 12))]
        )
    return mixes


@pytest.mark.parametrize("box", CANVASES)
@pytest.mark.parametrize("aspects", tile_mixes())
def test_tiles_fill_the_box_without_overlapping(box: Box, aspects: list[float]) -> None:
    gutter = 16
    placed = justified_rows(aspects, box, gutter)

    assert len(placed) == len(aspects)
    for tile in placed:
        assert tile.w > 0
        assert tile.h > 0
        assert box.x <= tile.x
        assert tile.x + tile.w <= box.x + box.w
        assert box.y <= tile.y
        assert tile.y + tile.h <= box.y + box.h
    for index, tile in enumerate(placed):
        assert not any(tile.overlaps(other) for other in placed[index + 1 :])
    rows = sorted({tile.y for tile in placed})
    covered = sum(tile.w * tile.h for tile in placed)
    gutters = sum(gutter * tile.h for tile in placed if tile.x + tile.w < box.x + box.w) + gutter * box.w * (
        len(rows) - 1
    )
    assert covered + gutters == box.w * box.h  # every pixel is a tile's or a gutter's


def test_rows_keep_tiles_readable() -> None:
    placed = justified_rows([1.0] * 9, CANVASES[0], 16)

    assert len({tile.y for tile in placed}) == 3  # nine squares: a 3×3 grid on the portrait canvas
    assert min(tile.w for tile in placed) > 250
