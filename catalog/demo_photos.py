"""Which demo photo fits a product: the words of a rule in its name, and the same category.

The category check keeps a word from matching the wrong thing: the taxonomy puts
"CACTUS CANDLE" with candles, so a cactus photo would not fit it.
"""

from __future__ import annotations

import csv
import zlib
from dataclasses import dataclass
from pathlib import Path

from catalog.taxonomy import categorize, mentions

RULES_FILE = "matches.csv"


@dataclass(frozen=True)
class PhotoRule:
    words: str
    files: tuple[str, ...]
    category: str


class PhotoRulesError(ValueError):
    """The folder or its ``matches.csv`` cannot be used; the message says why."""


def photo_rules(folder: Path) -> list[PhotoRule]:
    path = folder / RULES_FILE
    if not path.is_file():
        raise PhotoRulesError(f"{folder} has no {RULES_FILE} (columns: words, files).")
    rules = []
    with path.open(newline="", encoding="utf-8") as lines:
        for number, row in enumerate(csv.DictReader(lines), start=2):
            words, files = (row.get("words") or "").strip(), tuple((row.get("files") or "").split())
            missing = [name for name in files if not (folder / name).is_file()]
            if not words or not files or missing:
                raise PhotoRulesError(
                    f"{path}, line {number}: needs words and files that exist"
                    + (f" ({', '.join(missing)} not found)" if missing else "")
                )
            rules.append(PhotoRule(words, files, categorize(words)))
    return rules


def photo_for(name: str, sku: str, rules: list[PhotoRule]) -> str | None:
    """The file for a product, or None. A rule with several files shares them out by SKU."""
    category = categorize(name)
    for rule in rules:
        if rule.category == category and mentions(name, rule.words):
            return rule.files[zlib.crc32(sku.encode()) % len(rule.files)]
    return None
