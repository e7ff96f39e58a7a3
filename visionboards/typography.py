"""Type on a board: the shipped Inter faces, names made readable, text fitted to a box.

Sizes shrink until the words fit in the lines allowed; at the smallest size a text that
still does not fit is cut at a word with an ellipsis, so nothing is ever drawn outside
its box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from PIL import ImageDraw, ImageFont

from visionboards.colours import RGB

FONTS = Path(__file__).resolve().parent / "fonts"
LINE_SPACING = 1.16
SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}
)


class Face(StrEnum):
    REGULAR = "Inter-Regular.woff2"
    SEMIBOLD = "Inter-SemiBold.woff2"
    BOLD = "Inter-Bold.woff2"
    DISPLAY = "InterDisplay-Bold.woff2"


@lru_cache(maxsize=256)
def font(face: Face, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / face.value), size)


def display_name(name: str) -> str:
    """A catalogue name as people write it: ``WHITE HANGING HEART T-LIGHT HOLDER`` becomes
    ``White Hanging Heart T-Light Holder``; names mostly in mixed case stay as they are."""
    name = " ".join(name.split())
    letters = [character for character in name if character.isalpha()]
    if sum(character.isupper() for character in letters) < 0.8 * len(letters):
        return name
    words = []
    for index, word in enumerate(name.lower().split(" ")):
        if index and word in SMALL_WORDS:
            words.append(word)
        elif re.fullmatch(r"[\d.]+(cm|mm|m|g|kg|ml|l|pc|pcs)", word):
            words.append(word)  # 60cm, 250g
        elif any(character.isdigit() for character in word):
            words.append(word.upper())  # codes: 3D, A4
        else:
            words.append(re.sub(r"(^|[-/(&+])([a-z])", lambda m: m.group(1) + m.group(2).upper(), word))
    return " ".join(words)


@dataclass(frozen=True)
class Fitted:
    """Lines set in one face and size, and the block they make."""

    lines: tuple[str, ...]
    face: Face
    size: int

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        return font(self.face, self.size)

    @property
    def line_height(self) -> int:
        return round(self.size * LINE_SPACING)

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)

    @property
    def width(self) -> int:
        return max((round(self.font.getlength(line)) for line in self.lines), default=0)


def fit(text: str, face: Face, width: int, height: int, *, largest: int, smallest: int, lines: int) -> Fitted:
    """``text`` at the largest size from ``largest`` down to ``smallest`` at which it fits in
    ``width`` × ``height`` in at most ``lines`` lines (cut with an ellipsis at ``smallest``)."""
    size = largest
    while True:
        wrapped = _wrap(text, font(face, size), width)
        fitted = Fitted(tuple(wrapped), face, size)
        fits = len(wrapped) <= lines and fitted.height <= height and fitted.width <= width
        if fits or size <= smallest:
            break
        size = max(smallest, int(size * 0.92))
    if fits:
        return fitted
    allowed = max(1, min(lines, height // max(fitted.line_height, 1)))
    return Fitted(tuple(_cut(wrapped, allowed, font(face, size), width)), face, size)


def draw(canvas: ImageDraw.ImageDraw, fitted: Fitted, x: int, y: int, colour: RGB) -> None:
    """The lines from the top left corner ``x``, ``y`` of their block."""
    typeface = fitted.font
    # Lines sit on baselines an even rhythm apart, whatever their letters: capitals and
    # descenders ("Hg") centred in each line's height.
    _, above, _, below = typeface.getbbox("Hg", anchor="ls")
    offset = round((fitted.line_height - (below - above)) / 2) - above
    for index, line in enumerate(fitted.lines):
        canvas.text(
            (x, y + index * fitted.line_height + offset), line, font=typeface, fill=colour, anchor="ls"
        )


def _wrap(text: str, typeface: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and typeface.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _cut(lines: list[str], allowed: int, typeface: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """The first ``allowed`` lines, the last ending in an ellipsis; any line wider than
    ``width`` (one long word) is cut letter by letter."""
    kept = lines[:allowed]
    last = kept[-1] + ("…" if len(lines) > allowed else "")
    while typeface.getlength(last) > width and len(last) > 1:
        last = last[:-2].rstrip() + "…"
    kept[-1] = last
    for index, line in enumerate(kept[:-1]):
        while typeface.getlength(line) > width and len(line) > 1:
            line = line[:-2] + "…"
        kept[index] = line
    return kept
