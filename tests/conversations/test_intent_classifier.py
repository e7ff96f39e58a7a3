"""The intent classifier over real message embeddings: it learns a shop's intents from their
examples, says "unknown" below its own threshold, learns from staff corrections, and refuses
examples it cannot learn from with a reason."""

from __future__ import annotations

import numpy as np
import pytest

from conversations.embedding import LocalEmbedder
from conversations.intents.classifier import (
    UNKNOWN,
    IntentClassifier,
    IntentTrainingError,
    Labelled,
    classifier_train,
)
from conversations.intents.starter import starter_examples

SALE = "Is the sale still on?"


@pytest.fixture(scope="module")
def starter(local_embedder: LocalEmbedder) -> Labelled:
    intents, texts = zip(*starter_examples(), strict=True)
    return Labelled(list(intents), local_embedder.passages(texts))


@pytest.fixture(scope="module")
def classifier(starter: Labelled) -> IntentClassifier:
    return classifier_train(starter)


def _classify(classifier: IntentClassifier, embedder: LocalEmbedder, *texts: str) -> list[str]:
    return [prediction.intent for prediction in classifier.classify(embedder.passages(texts))]


def test_new_messages_get_the_intent_their_examples_define(
    classifier: IntentClassifier, local_embedder: LocalEmbedder
) -> None:
    assert _classify(
        classifier,
        local_embedder,
        "I want my money back for the chair that arrived broken",
        "please stop emailing me",
        "how do I reset my password",
        "can I pay by bank transfer",
    ) == ["returns_refunds", "unsubscribe", "account", "payment"]


def test_a_prediction_carries_its_confidence_and_best_guess(
    classifier: IntentClassifier, local_embedder: LocalEmbedder
) -> None:
    [prediction] = classifier.classify(local_embedder.passages(["please stop emailing me"]))

    assert prediction.best == prediction.intent == "unsubscribe"
    assert classifier.threshold <= prediction.confidence <= 1
    assert classifier.classify(np.empty((0, 384), dtype=np.float32)) == []


def test_below_its_threshold_the_classifier_answers_unknown(classifier: IntentClassifier) -> None:
    # given: its own threshold, learned by cross-validation on the examples
    assert 0 < classifier.threshold < 1
    # when: a vector no message has (all zeros), like none of the examples
    [prediction] = classifier.classify(np.zeros((1, 384), dtype=np.float32))

    # then
    assert prediction.confidence < classifier.threshold
    assert prediction.intent == UNKNOWN
    assert prediction.best in classifier.intents


def test_it_claims_most_of_its_own_examples(classifier: IntentClassifier, starter: Labelled) -> None:
    predictions = classifier.classify(starter.vectors)

    assert np.mean([p.intent == intent for p, intent in zip(predictions, starter.intents, strict=True)]) > 0.9


def test_a_staff_correction_changes_later_classifications(
    classifier: IntentClassifier, starter: Labelled, local_embedder: LocalEmbedder
) -> None:
    # given: a message the starter set does not file where this shop wants it
    [before] = _classify(classifier, local_embedder, SALE)
    assert before != "product_question"

    # when: staff correct it, and the classifier is trained again
    corrected = classifier_train(starter, Labelled(["product_question"], local_embedder.passages([SALE])))

    # then: that message, and one that says the same, now get the intent staff chose
    assert _classify(corrected, local_embedder, SALE, "Is your sale over already?") == [
        "product_question",
        "product_question",
    ]


@pytest.mark.parametrize(
    ("intents", "rows", "reason"),
    [
        (["delivery", "delivery", "delivery"], 3, "at least two intents"),
        (["delivery", "delivery", "payment"], 3, "one only: payment"),
        (["delivery", "delivery", "unknown", "unknown"], 4, "'unknown' is what the classifier answers"),
        (["delivery", "delivery", "payment", "payment"], 3, "one row per message"),
    ],
)
def test_examples_it_cannot_learn_from_are_refused_with_the_reason(
    intents: list[str], rows: int, reason: str
) -> None:
    vectors = np.random.default_rng(0).normal(size=(rows, 8)).astype(np.float32)

    with pytest.raises(IntentTrainingError, match=reason):
        classifier_train(Labelled(intents, vectors))


def test_corrections_embedded_by_another_model_are_refused(starter: Labelled) -> None:
    with pytest.raises(IntentTrainingError, match="embed both by one model"):
        classifier_train(starter, Labelled(["payment"], np.ones((1, 1024), dtype=np.float32)))
