"""The starter intents a new retail shop begins with."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from conversations.intents.starter import starter_examples, starter_intents
from conversations.models import Intent, IntentExample
from conversations.services.intents import StarterLoaded, intents_load_starter


def test_the_starter_set_defines_each_retail_intent_by_its_examples() -> None:
    intents = starter_intents()
    names = [intent.name for intent in intents]

    assert 8 <= len(intents) <= 12
    assert len(set(names)) == len(names)
    assert {"order_status", "returns_refunds", "complaint", "unsubscribe"} <= set(names)
    for intent in intents:
        assert intent.title
        assert intent.description
        assert 8 <= len(intent.examples) <= 15, intent.name
    texts = [text.casefold() for _, text in starter_examples()]
    assert len(set(texts)) == len(texts) == sum(len(intent.examples) for intent in intents)


def test_loading_the_starter_set_twice_creates_nothing_the_second_time(db: None) -> None:
    first = intents_load_starter()
    second = intents_load_starter()

    assert first == StarterLoaded(intents=len(starter_intents()), examples=len(starter_examples()))
    assert second == StarterLoaded(intents=0, examples=0)
    assert IntentExample.objects.count() == len(starter_examples())
    assert list(Intent.objects.filter(holds_promotions=True).values_list("slug", flat=True)) == ["complaint"]


def test_the_starter_set_adds_to_a_shops_own_intents_and_deletes_nothing(db: None) -> None:
    # given: a shop's own wording of an intent, an example of its own, and an intent of its own
    delivery = Intent.objects.create(name="Delivery", slug="shipping", description="Ours")
    IntentExample.objects.create(intent=delivery, text="Do you ship to the Faroe Islands?")
    Intent.objects.create(name="Gift wrap", slug="gift-wrap")

    # when
    out = StringIO()
    call_command("intents_load_starter", stdout=out)

    # then: its intent is found by name and completed, nothing of its own is lost
    delivery.refresh_from_db()
    assert (delivery.slug, delivery.description) == ("shipping", "Ours")
    assert delivery.examples.filter(text="Do you ship to the Faroe Islands?").exists()
    assert delivery.examples.count() == 1 + len(
        next(i for i in starter_intents() if i.name == "delivery").examples
    )
    assert Intent.objects.filter(slug="gift-wrap").exists()
    assert Intent.objects.count() == len(starter_intents()) + 1
    assert f"{len(starter_intents()) - 1} intents" in out.getvalue()
