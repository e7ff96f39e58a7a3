"""Which intent a message expresses, learned from a shop's example messages and its staff's corrections.

The classifier is a multinomial logistic regression over standardised message embeddings (see the
README's Benchmarks: against nearest centroid and k nearest examples it is the most accurate on both
labelled sets, from ten examples an intent up). A staff correction is one more example of the intent
staff chose, weighted ``CORRECTION_WEIGHT`` times, so that it outweighs the examples that misled the
classifier on that message.

"Unknown": the classifier's confidence is its probability for the intent it picks; it answers
``UNKNOWN`` when that falls below a threshold it sets for itself. The threshold is not a fixed
probability (probabilities shrink as intents are added, and depend on the embedding model and on how
many examples there are) but the ``UNKNOWN_QUANTILE`` quantile of the confidences the classifier has,
in a cross-validation over its own training messages, on those it classifies correctly: a message
less typical of its intent than 95 % of the examples it gets right is not claimed by it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedKFold, cross_val_predict  # type: ignore[import-untyped]
from sklearn.pipeline import Pipeline, make_pipeline  # type: ignore[import-untyped]
from sklearn.preprocessing import StandardScaler  # type: ignore[import-untyped]

UNKNOWN = "unknown"
CORRECTION_WEIGHT = 3.0
UNKNOWN_QUANTILE = 0.05
FOLDS = 5
_FIT = "logisticregression__sample_weight"


class IntentTrainingError(ValueError):
    """The examples cannot train a classifier; the message says what to add or fix."""


@dataclass(frozen=True, slots=True)
class Labelled:
    """Messages' embeddings (one row each) and the intent of each."""

    intents: Sequence[str]
    vectors: np.ndarray


@dataclass(frozen=True, slots=True)
class Prediction:
    intent: str  # the intent claimed, or UNKNOWN
    confidence: float  # the classifier's probability for its best intent
    best: str  # its best intent, even when it is not sure enough to claim it


@dataclass(frozen=True, slots=True)
class IntentClassifier:
    pipeline: Pipeline
    threshold: float

    @property
    def intents(self) -> list[str]:
        return [str(intent) for intent in self.pipeline.classes_]

    def classify(self, vectors: np.ndarray) -> list[Prediction]:
        """One prediction per row of ``vectors`` (embeddings by the model the classifier was trained on)."""
        if len(vectors) == 0:
            return []
        probabilities = self.pipeline.predict_proba(np.atleast_2d(vectors))
        best = probabilities.argmax(axis=1)
        return [
            Prediction(
                intent=intent if confidence >= self.threshold else UNKNOWN,
                confidence=float(confidence),
                best=intent,
            )
            for intent, confidence in zip(
                self.pipeline.classes_[best].tolist(), probabilities.max(axis=1).tolist(), strict=True
            )
        ]


def classifier_train(examples: Labelled, corrections: Labelled | None = None) -> IntentClassifier:
    """A classifier of the examples' intents, the corrections counted ``CORRECTION_WEIGHT`` times."""
    parts = [examples] if corrections is None or not len(corrections.intents) else [examples, corrections]
    for part in parts:
        _check(part)
    if len({part.vectors.shape[1] for part in parts}) > 1:
        raise IntentTrainingError(
            "the corrections' embeddings and the examples' differ in size: embed both by one model"
        )
    intents = np.asarray([intent for part in parts for intent in part.intents])
    vectors = np.vstack([part.vectors for part in parts])
    weights = np.concatenate(
        [np.full(len(part.intents), 1.0 if part is examples else CORRECTION_WEIGHT) for part in parts]
    )
    _check_intents(Counter(intents.tolist()))
    threshold = _threshold(vectors, intents, weights)
    pipeline = _pipeline().fit(vectors, intents, **{_FIT: weights})
    return IntentClassifier(pipeline=pipeline, threshold=threshold)


def _pipeline() -> Pipeline:
    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, solver="newton-cg", max_iter=1000))


def _threshold(vectors: np.ndarray, intents: np.ndarray, weights: np.ndarray) -> float:
    """The ``UNKNOWN_QUANTILE`` quantile of the cross-validated confidence on training messages
    classified correctly (of every one's, if none is)."""
    folds = StratifiedKFold(
        n_splits=min(FOLDS, min(Counter(intents.tolist()).values())), shuffle=True, random_state=0
    )
    probabilities = cross_val_predict(
        _pipeline(), vectors, intents, cv=folds, method="predict_proba", params={_FIT: weights}
    )
    classes = np.unique(intents)
    confidence = probabilities.max(axis=1)
    correct = classes[probabilities.argmax(axis=1)] == intents
    return float(np.quantile(confidence[correct] if correct.any() else confidence, UNKNOWN_QUANTILE))


def _check(part: Labelled) -> None:
    if part.vectors.ndim != 2 or len(part.vectors) != len(part.intents):
        raise IntentTrainingError(
            f"{len(part.intents)} intents for embeddings of shape {part.vectors.shape}: "
            "one row per message expected"
        )
    if UNKNOWN in part.intents:
        raise IntentTrainingError(
            f"{UNKNOWN!r} is what the classifier answers when unsure, not an intent to learn"
        )


def _check_intents(counts: Counter[str]) -> None:
    if len(counts) < 2:
        raise IntentTrainingError("define at least two intents to tell apart")
    scarce = sorted(intent for intent, count in counts.items() if count < 2)
    if scarce:
        raise IntentTrainingError(
            f"give at least two example messages for each intent; one only: {', '.join(scarce)}"
        )
