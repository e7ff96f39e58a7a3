"""The categories a message names, against the demo's catalogue and real support messages."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from catalog.taxonomy import TAXONOMY, categorize
from conversations.mentions import CatalogueEntry, Mentions
from tests.support import DEMO_SAMPLE

BITEXT = (
    Path(__file__).resolve().parents[3]
    / "shared/data/conversations/bitext-customer-support/Bitext_Sample_Customer_Support_Training_Dataset.csv"
)
LEAVES = [leaf.slug for root in TAXONOMY for leaf in root.leaves]


@pytest.fixture(scope="module")
def mentions() -> Mentions:
    """The demo sample's products, each in its taxonomy leaf, and the leaves by name (interest
    ids are the leaves' positions)."""
    names: dict[str, Counter[str]] = {}
    with DEMO_SAMPLE.open(newline="") as handle:
        for row in csv.DictReader(handle):
            names.setdefault(row["StockCode"], Counter())[row["Description"]] += 1
    entries = [
        CatalogueEntry(i, leaf.name, is_category=True)
        for i, leaf in enumerate(leaf for root in TAXONOMY for leaf in root.leaves)
    ]
    for counted in names.values():
        slug = categorize(counted.most_common(1)[0][0])
        if slug in LEAVES:
            entries.append(CatalogueEntry(LEAVES.index(slug), counted.most_common(1)[0][0]))
    return Mentions.of(entries)


def named(mentions: Mentions, text: str) -> dict[str, list[str]]:
    return {LEAVES[interest_id]: words for interest_id, words in mentions.found(text).items()}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I want to return the lantern I ordered", {"lights-candles": ["lantern"]}),
        ("Where are the Christmas decorations I ordered?", {"christmas": ["Christmas decorations"]}),
        ("do you still sell those scented candles?", {"lights-candles": ["scented candles"]}),
        ("My jumbo bag arrived torn", {"bags": ["jumbo bag"]}),
        (
            "Loved the lanterns, the cake stand too",
            {"lights-candles": ["lanterns"], "tableware": ["cake stand"]},
        ),
    ],
)
def test_explicit_mentions_name_their_category_with_the_words_written(
    mentions: Mentions, text: str, expected: dict[str, list[str]]
) -> None:
    assert named(mentions, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I need to check the status of my order",
        "can I pay with my credit card?",
        "how do I sign up for the newsletter",
        "I want to change the delivery address of order 1234",
        "the parcel arrived damaged, I want a refund",
        "how long do refunds usually take, and in which cases can I ask for one?",
        "",
    ],
)
def test_service_talk_names_no_category(mentions: Mentions, text: str) -> None:
    assert named(mentions, text) == {}


def test_real_support_messages_yield_no_false_interests(mentions: Mentions) -> None:
    """Bitext's retail support messages speak of orders, accounts and payment, never of a
    product of the shop: not one of them may name a category."""
    if not BITEXT.exists():
        pytest.skip(f"the Bitext support set is not here ({BITEXT}); CI has ../shared")
    with BITEXT.open(newline="") as handle:
        texts = [row["instruction"] for row in csv.DictReader(handle)]

    found = {text: named(mentions, text) for text in texts if mentions.found(text)}

    assert len(texts) > 4000
    assert found == {}
