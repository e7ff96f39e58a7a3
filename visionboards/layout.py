"""Where each tile of a board goes: justified rows that fill the content box exactly.

Tiles keep their order (most important first). Rows are chosen by dynamic
programming so each row's natural height (the box width shared by the row's aspect
ratios) stays near a target that depends on the canvas; then the rows are scaled
together to the box height. Every row spans the full width and the rows the full
height, with ``gutter`` between tiles, in whole pixels: no tile overlaps another or
leaves the canvas, and no pixel of the box is left over. Images are cover-cropped
into their rectangles afterwards, so a rectangle's aspect may differ a little from
its image's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )


MAX_PER_ROW = 4


def justified_rows(aspects: list[float], box: Box, gutter: int) -> list[Box]:
    """One rectangle per aspect ratio (width / height), in order, filling ``box``."""
    if not aspects:
        return []
    rows = _rows(aspects, box, gutter)
    natural = [_natural_height(aspects[start:end], box.w, gutter) for start, end in rows]
    heights = _shares(box.h - gutter * (len(rows) - 1), natural)
    placed, y = [], box.y
    for (start, end), height in zip(rows, heights, strict=True):
        widths = _shares(box.w - gutter * (end - start - 1), aspects[start:end])
        x = box.x
        for width in widths:
            placed.append(Box(x, y, width, height))
            x += width + gutter
        y += height + gutter
    return placed


def _rows(aspects: list[float], box: Box, gutter: int) -> list[tuple[int, int]]:
    """Row breaks minimising the squared log distance of each row's natural height from the
    height that would make ``√n`` rows fill the box."""
    count = len(aspects)
    rows_wanted = max(1, round(math.sqrt(count * box.h / max(box.w, 1) * 1.2)))
    target = (box.h - gutter * (rows_wanted - 1)) / rows_wanted
    no_rows: list[tuple[int, int]] = []
    best = [(0.0, no_rows)] + [(math.inf, no_rows)] * count
    for end in range(1, count + 1):
        for start in range(max(0, end - MAX_PER_ROW), end):
            if best[start][0] == math.inf:
                continue
            height = _natural_height(aspects[start:end], box.w, gutter)
            cost = best[start][0] + math.log(height / target) ** 2
            if cost < best[end][0]:
                best[end] = (cost, [*best[start][1], (start, end)])
    return best[count][1]


def _natural_height(aspects: list[float], width: int, gutter: int) -> float:
    return (width - gutter * (len(aspects) - 1)) / sum(aspects)


def _shares(total: int, weights: list[float]) -> list[int]:
    """``total`` pixels split in proportion to ``weights``, in whole pixels that add up exactly."""
    whole = sum(weights)
    edges = [round(total * sum(weights[: i + 1]) / whole) for i in range(len(weights))]
    return [edge - previous for edge, previous in zip(edges, [0, *edges[:-1]], strict=True)]
