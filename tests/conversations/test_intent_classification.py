"""Messages get their intents on the worker: as their vectors are made (``messages_embedded``) and
again after each training; staff corrections are never overwritten and teach the classifier."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from conversations.embedding import LocalEmbedder, embedder
from conversations.models import Intent, IntentBy, Message, TrainedIntentClassifier
from conversations.services.intent_classification import intent_classifier_train, messages_reclassify
from conversations.services.intents import (
    intent_create,
    intent_update,
    intents_load_starter,
    message_intent_correct,
)
from conversations.services.recording import MessageRow, messages_record
from conversations.signals import messages_embedded
from tests.conversations.conftest import People

SENT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SALE = "Is the sale still on?"


def write(people: People, *texts: str) -> list[Message]:
    start = Message.objects.count()
    messages_record([
        MessageRow(people.ada.pk, "api", f"m-{start + i}", text, "chat", SENT, None, "en")
        for i, text in enumerate(texts)
    ])  # fmt: skip
    return list(
        Message.objects.filter(message_id__in=[f"m-{start + i}" for i in range(len(texts))]).order_by("pk")
    )


def embedded(messages: list[Message], embedder_: LocalEmbedder, **extra: Any) -> list[Message]:
    """What the embedding pipeline does once it stored their vectors: announce them."""
    vectors = embedder_.passages([message.text for message in messages])
    messages_embedded.send(Message, messages=messages, vectors=vectors, **extra)
    return list(
        Message.objects.filter(pk__in=[m.pk for m in messages]).select_related("intent").order_by("pk")
    )


def slugs(messages: list[Message]) -> list[str | None]:
    return [message.intent.slug if message.intent else None for message in messages]


@pytest.fixture
def starter(db: None) -> TrainedIntentClassifier:
    intents_load_starter()
    return intent_classifier_train()


def test_a_batch_just_embedded_gets_its_intents(
    starter: TrainedIntentClassifier, people: People, local_embedder: LocalEmbedder
) -> None:
    # given
    messages = write(
        people, "I want my money back for the chair that arrived broken", "please stop emailing me"
    )

    # when
    classified = embedded(messages, local_embedder)

    # then
    assert slugs(classified) == ["returns_refunds", "unsubscribe"]
    assert all(message.intent_by == IntentBy.CLASSIFIER for message in classified)
    assert starter.threshold is not None
    assert all((message.intent_confidence or 0) >= starter.threshold for message in classified)


def test_below_the_threshold_a_message_gets_no_intent_but_keeps_the_confidence(
    starter: TrainedIntentClassifier, people: People
) -> None:
    [message] = write(people, "zzzz")

    messages_embedded.send(Message, messages=[message], vectors=np.zeros((1, 384), dtype=np.float32))

    message.refresh_from_db()
    assert message.intent is None
    assert message.intent_by == IntentBy.CLASSIFIER
    assert starter.threshold is not None
    assert message.intent_confidence is not None
    assert 0 < message.intent_confidence < starter.threshold


def test_a_staff_correction_is_never_overwritten(
    starter: TrainedIntentClassifier, people: People, local_embedder: LocalEmbedder
) -> None:
    [message] = write(people, "please stop emailing me")
    praise = Intent.objects.get(slug="praise_and_reviews")
    message_intent_correct(message_id=message.pk, intent=praise)

    [after] = embedded([message], local_embedder)
    messages_reclassify(digest=intent_classifier_train().digest, after_id=0)

    after.refresh_from_db()
    assert (after.intent, after.intent_by, after.intent_confidence) == (praise, IntentBy.STAFF, None)


def test_a_correction_changes_how_a_similar_new_message_is_classified(
    starter: TrainedIntentClassifier, people: People, local_embedder: LocalEmbedder
) -> None:
    # given: a message the starter set does not file where this shop wants it
    [sale] = embedded(write(people, SALE), local_embedder)
    assert slugs([sale]) != ["product_question"]

    # when: staff correct it and the classifier trains again (the task a correction schedules)
    message_intent_correct(message_id=sale.pk, intent=Intent.objects.get(slug="product_question"))
    retrained = intent_classifier_train()

    # then: a new message saying the same follows the correction
    assert retrained.corrections == 1
    assert retrained.digest != starter.digest
    assert slugs(embedded(write(people, "Is your sale over already?"), local_embedder)) == [
        "product_question"
    ]


def test_after_a_training_the_classifiers_messages_are_classified_again_in_batches(
    starter: TrainedIntentClassifier, people: People, local_embedder: LocalEmbedder, settings: Any
) -> None:
    # given: messages about gift wrapping, classified before the shop had an intent for it
    settings.INTENTS_RECLASSIFY_BATCH = 2
    messages = embedded(
        write(people, "Can you gift wrap my order?", "do you do gift wrapping", "Is gift wrap available?"),
        local_embedder,
    )
    assert "gift_wrap" not in slugs(messages)

    # when: the shop defines it, the classifier trains and the batches run
    intent_create(
        name="Gift wrap",
        slug="gift_wrap",
        examples=[
            "Could you wrap it as a present?",
            "I'd like gift wrapping please",
            "Do you offer gift wrap?",
        ],
    )
    digest = intent_classifier_train().digest
    done = [messages_reclassify(digest=digest, after_id=0)]
    while done[-1] is not None:
        done.append(messages_reclassify(digest=digest, after_id=done[-1]))

    # then
    assert done == [messages[1].pk, messages[2].pk, None]
    assert slugs([Message.objects.get(pk=m.pk) for m in messages]) == ["gift_wrap"] * 3


def test_a_change_of_examples_trains_again_and_an_unchanged_set_does_not(
    starter: TrainedIntentClassifier, django_capture_on_commit_callbacks: Any
) -> None:
    assert intent_classifier_train().trained_at == starter.trained_at  # nothing new: not trained

    delivery = Intent.objects.get(slug="delivery")
    with django_capture_on_commit_callbacks() as scheduled:
        intent_update(
            intent=delivery,
            examples=[*delivery.examples.values_list("text", flat=True), "Do you ship to Norway?"],
        )
    retrained = intent_classifier_train()

    assert len(scheduled) == 1  # the training, a little later on the worker
    assert retrained.examples == starter.examples + 1
    assert retrained.trained_at > starter.trained_at


def test_a_stale_batch_stops_when_a_newer_training_took_over(
    starter: TrainedIntentClassifier, people: People
) -> None:
    write(people, "where is my parcel")
    intent_update(intent=Intent.objects.get(slug="praise_and_reviews"), active=False)
    intent_classifier_train()

    assert messages_reclassify(digest=starter.digest, after_id=0) is None


def test_the_classifier_never_reads_another_models_vectors(
    starter: TrainedIntentClassifier, people: People, local_embedder: LocalEmbedder
) -> None:
    messages = write(people, "please stop emailing me", "where is my parcel")

    other_model = embedded(messages, local_embedder, model="another-model-384")
    messages_embedded.send(Message, messages=messages, vectors=np.ones((2, 1024), dtype=np.float32))

    assert [message.intent_by for message in other_model] == [IntentBy.NONE, IntentBy.NONE]
    assert not Message.objects.exclude(intent_by=IntentBy.NONE).exists()
    assert starter.embedding_model == embedder().model


def test_examples_that_cannot_train_say_why_and_the_classifiers_intents_come_off(
    starter: TrainedIntentClassifier, people: People, local_embedder: LocalEmbedder
) -> None:
    [message] = embedded(write(people, "please stop emailing me"), local_embedder)
    assert message.intent is not None
    Intent.objects.exclude(slug="unsubscribe").update(active=False)

    failed = intent_classifier_train()
    messages_reclassify(digest=failed.digest, after_id=0)

    message.refresh_from_db()
    assert failed.error == "define at least two intents to tell apart"
    assert (message.intent, message.intent_confidence, message.intent_by) == (None, None, IntentBy.NONE)
    assert slugs(embedded([message], local_embedder)) == [None]
