"""Which catalogue categories a message talks about: the catalogue's own words found in its text.

A category is named by the words of its name ("Christmas", "Lights & candles") and by the words
and two-word phrases of its products' names that belong to it: a phrase counts for a category
when at least ``MIN_PRODUCTS`` products carry it and ``MIN_SHARE`` of them are in that category
("lantern" names lights, "cake stand" tableware; "set" or "pink", spread over every category,
name nothing). Words customers use about the shop's service ("order", "card", "delivery",
"sign in") never count, even where the catalogue sells such things: a message about a payment
card is not an interest in greeting cards. Two-word phrases win over their single words.
Plain functions: catalogue rows in, a matcher out; a message's text in, its mentions out.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # type: ignore[import-untyped]

MIN_PRODUCTS = 2
MIN_SHARE = 0.6
# Shop talk (what service messages say about orders, accounts and payment) and everyday words
# that product names use too. Measured on the Bitext retail support set: these were the
# catalogue words found in its messages, which name no product.
# fmt: off
SHOP_TALK = frozenset((
    "account", "address", "assistance", "bill", "billing", "bin", "box", "broken", "buy", "card", "case",
    "cash", "catalogue", "category", "cost", "cracked", "customer", "damaged", "delivery", "design",
    "email", "fee", "gift", "help", "hold", "holder", "hour", "item", "key", "list", "long", "looking",
    "mail", "make", "making", "message", "money", "new", "number", "office", "online", "order", "package",
    "parcel", "pay", "payment", "person", "personal", "phone", "pin", "place", "point", "post", "price",
    "product", "purchase", "refund", "return", "sale", "service", "set", "setting", "shipping", "shop",
    "shopping", "sign", "size", "stamp", "star", "store", "support", "time", "top", "track", "voucher",
    "way", "web", "website", "writing",
))
# fmt: on
_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


def words(text: str) -> list[str]:
    """The text's words, lower case, each as its singular ("boxes" → "box", "candles" → "candle")."""
    return [_singular(word.casefold()) for word in _WORD.findall(_plain(text))]


def _plain(text: str) -> str:
    return text.replace("\u2019", "'")  # a typographic apostrophe


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _meaningful(word: str) -> bool:
    return len(word) > 2 and word not in ENGLISH_STOP_WORDS and word not in SHOP_TALK


def _phrases(text: str) -> set[str]:
    """A name's meaningful words and its two-word phrases of them."""
    kept = [word for word in words(text) if _meaningful(word)]
    return {*kept, *(f"{a} {b}" for a, b in itertools.pairwise(kept))}


@dataclass(frozen=True)
class CatalogueEntry:
    """One product of an interest's category, or the category itself (``is_category``)."""

    interest_id: int
    name: str
    is_category: bool = False


@dataclass(frozen=True)
class Mentions:
    """The phrases that name each interest, and the matching of a text against them."""

    interest_of: Mapping[str, int]

    @classmethod
    def of(cls, entries: Iterable[CatalogueEntry]) -> Mentions:
        named: dict[str, int] = {}
        products: dict[str, Counter[int]] = defaultdict(Counter)
        for entry in entries:
            for phrase in _phrases(entry.name):
                if entry.is_category:
                    named.setdefault(phrase, entry.interest_id)
                else:
                    products[phrase][entry.interest_id] += 1
        for phrase, counts in products.items():
            interest_id, count = counts.most_common(1)[0]
            if count >= MIN_PRODUCTS and count >= MIN_SHARE * counts.total():
                named.setdefault(phrase, interest_id)
        return cls(named)

    def found(self, text: str) -> dict[int, list[str]]:
        """Each interest the text names → the text's words that name it, in the order they first
        occur."""
        found: dict[int, list[str]] = defaultdict(list)
        seen: set[str] = set()
        written = _WORD.findall(_plain(text))
        kept = [stem if _meaningful(stem) else "" for stem in words(text)]
        index = 0
        while index < len(kept):
            size = 2 if kept[index] and index + 1 < len(kept) and kept[index + 1] else 1
            if size == 2 and " ".join(kept[index : index + 2]) not in self.interest_of:
                size = 1
            interest_id = self.interest_of.get(" ".join(kept[index : index + size]))
            said = " ".join(written[index : index + size])
            if kept[index] and interest_id is not None and said.casefold() not in seen:
                found[interest_id].append(said)
                seen.add(said.casefold())
            index += size
        return dict(found)
