"""The starter intents a new retail shop begins with: twelve intents, each described and defined by
about ten example messages written for this platform (``starter_intents.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STARTER_FILE = Path(__file__).with_name("starter_intents.json")


@dataclass(frozen=True, slots=True)
class IntentDefinition:
    name: str  # the intent's slug
    title: str  # its name, as staff read it
    description: str
    examples: tuple[str, ...]
    holds_promotions: bool = False  # a complaint: no campaign email while it is the latest word


@cache
def starter_intents() -> tuple[IntentDefinition, ...]:
    """The starter set, in the file's order."""
    document = json.loads(STARTER_FILE.read_text(encoding="utf-8"))
    return tuple(
        IntentDefinition(
            name=entry["name"],
            title=entry["title"],
            description=entry["description"],
            examples=tuple(entry["examples"]),
            holds_promotions=entry.get("holds_promotions", False),
        )
        for entry in document["intents"]
    )


def starter_examples() -> list[tuple[str, str]]:
    """Every starter example as ``(intent, text)``, what the classifier trains on."""
    return [(intent.name, text) for intent in starter_intents() for text in intent.examples]
