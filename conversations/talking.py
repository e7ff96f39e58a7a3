"""Who talks about something: how similar a message must be to a phrase to be about it.

Each embedding model keeps its cosine similarities in a band of its own (e5's unrelated messages
score about 0.8 and related ones 0.83 and up; a bag-of-words model's unrelated ones about 0), so a
fixed bar fits one model only. The bar here is the phrase's own: its similarities to ordinary
customer messages on many subjects (the starter intents' examples) give a mean and a standard
deviation, and a message is about the phrase when it stands ``z`` of those deviations above that
mean. Shifting or scaling every similarity moves the bar with them, whatever the model, and the
bar does not move as a shop's own messages pile up on one subject. ``python -m bench talking``
measures it against fixed bars on the two labelled message sets.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

import numpy as np
from django.core.cache import cache as shared_cache

from conversations.embedding import Embedder
from conversations.intents.starter import starter_examples

PHRASE_CACHE_SECONDS = 7 * 24 * 3600  # a phrase's vector and bar, per model: counts stay fast


@dataclass(frozen=True)
class Phrase:
    """A phrase embedded as a query, with its similarities to the reference messages."""

    vector: np.ndarray
    reference_mean: float
    reference_std: float

    @classmethod
    def measured(cls, vector: np.ndarray, reference_scores: np.ndarray) -> Phrase:
        """The phrase ``vector`` and its similarities to the reference messages."""
        return cls(vector, float(reference_scores.mean()), float(reference_scores.std()))

    def floor(self, z: float) -> float:
        """The least similarity of a message about the phrase at strictness ``z``."""
        return self.reference_mean + z * self.reference_std


def reference_texts() -> list[str]:
    """Ordinary customer messages on a dozen subjects, the background a phrase stands out from."""
    return [text for _, text in starter_examples()]


def phrase_of(text: str, vectors_of: Embedder) -> Phrase:
    """``text`` embedded as a query and measured against the reference messages."""
    vector = vectors_of.query(text)
    return Phrase.measured(vector, _reference_vectors(vectors_of) @ vector)


def phrase_cached(text: str, vectors_of: Embedder) -> Phrase:
    """``phrase_of`` kept in the shared cache by model and phrase: a live count typed letter by
    letter, or a segment counted again, embeds nothing."""
    key = (
        "talking:" + hashlib.sha256(f"{vectors_of.model}\n{_reference_digest()}\n{text}".encode()).hexdigest()
    )
    found = shared_cache.get(key)
    if isinstance(found, Phrase):
        return found
    phrase = phrase_of(text, vectors_of)
    shared_cache.set(key, phrase, PHRASE_CACHE_SECONDS)
    return phrase


_reference_by_model: dict[str, np.ndarray] = {}


def _reference_vectors(vectors_of: Embedder) -> np.ndarray:
    """Embedded once per model and process."""
    if vectors_of.model not in _reference_by_model:
        _reference_by_model[vectors_of.model] = vectors_of.passages(reference_texts())
    return _reference_by_model[vectors_of.model]


@cache
def _reference_digest() -> str:
    return hashlib.sha256("\n".join(reference_texts()).encode()).hexdigest()[:16]
