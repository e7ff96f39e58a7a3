"""The starter intents a new retail shop begins with."""

from __future__ import annotations

from conversations.intents.starter import starter_examples, starter_intents


def test_the_starter_set_defines_each_retail_intent_by_its_examples() -> None:
    intents = starter_intents()
    names = [intent.name for intent in intents]

    assert 8 <= len(intents) <= 12
    assert len(set(names)) == len(names)
    assert {"order_status", "returns_refunds", "complaint", "unsubscribe"} <= set(names)
    for intent in intents:
        assert intent.description
        assert 8 <= len(intent.examples) <= 15, intent.name
    texts = [text.casefold() for _, text in starter_examples()]
    assert len(set(texts)) == len(texts) == sum(len(intent.examples) for intent in intents)
