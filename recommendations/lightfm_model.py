"""LightFM trained on the platform's interactions, and how to score with it.

Hybrid: every customer and product is represented by its identity plus its
features, so a customer or product unseen at training time is scored through
its features alone (fold-in) until the next retrain. Pure collaborative:
identities only (the baseline it is compared with).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from lightfm import LightFM  # type: ignore[import-untyped]
from scipy import sparse

from recommendations.dataset import Features, Interaction, item_features, price_bands, user_features

Representations = tuple[np.ndarray, np.ndarray]  # biases, vectors


@dataclass
class FeatureSpace:
    """Columns of a feature matrix: one per known entity (identity), then one per feature name.

    A known entity's row gives ``feature_weight`` of its mass to its features, shared in
    proportion to their values, and the rest to its identity: normalising identity and
    features together would let a product with four tags be 80 % tags, and the model
    would then tell products of one category apart badly. An unknown entity (fold-in)
    is its features alone.
    """

    entities: dict[int, int]
    names: dict[str, int] = field(default_factory=dict)
    feature_weight: float = 0.1

    @property
    def width(self) -> int:
        return len(self.entities) + len(self.names)

    def rows(self, ids: list[int], features: Mapping[int, Features], *, identity: bool) -> sparse.csr_matrix:
        """One row per id; unknown feature names are left out."""
        rows, cols, values = [], [], []
        for row, pk in enumerate(ids):
            known = {
                len(self.entities) + column: value
                for name, value in features.get(pk, {}).items()
                if (column := self.names.get(name)) is not None
            }
            total = sum(known.values())
            share = 1.0
            if identity and pk in self.entities:
                share = self.feature_weight if total else 0.0
                rows.append(row)
                cols.append(self.entities[pk])
                values.append(1.0 - share)
            for column, value in known.items():
                rows.append(row)
                cols.append(column)
                values.append(share * value / total)
        return sparse.csr_matrix((values, (rows, cols)), shape=(len(ids), self.width), dtype=np.float32)


@dataclass
class TrainedRecommender:
    model: LightFM
    hybrid: bool
    users: FeatureSpace
    items: FeatureSpace
    product_ids: list[int]
    bands: list[float]
    item_matrix: sparse.csr_matrix
    user_matrix: sparse.csr_matrix
    sizes: dict[str, int]
    seconds: float

    def score(self, customers: Mapping[int, Features]) -> dict[int, np.ndarray]:
        """Scores for every trained product, per customer the model can score: one it knows, or
        one with features on a hybrid model. One matrix product for them all."""
        return self._scores(customers, self._item_representations)

    def score_new_products(
        self, customers: Mapping[int, Features], product_ids: list[int]
    ) -> dict[int, np.ndarray]:
        """Fold-in for products created after training: scored through their features."""
        if not self.hybrid or not product_ids:
            return {}
        # the same few products for every customer until the list changes: build them once
        built: dict[tuple[int, ...], Representations] = self.__dict__.setdefault("_new_products", {})
        key = tuple(product_ids)
        representations = built.get(key)
        if representations is None:  # kept in a local: another thread may clear ``built`` meanwhile
            rows = self.items.rows(product_ids, item_features(product_ids, self.bands), identity=False)
            representations = self.model.get_item_representations(rows)
            built.clear()
            built[key] = representations
        return self._scores(customers, representations)

    def _scores(self, customers: Mapping[int, Features], items: Representations) -> dict[int, np.ndarray]:
        ids = list(customers)
        if not ids:
            return {}
        user_rows = self.users.rows(ids, customers, identity=True)
        scorable = user_rows.getnnz(axis=1) > 0
        user_biases, user_vectors = self.model.get_user_representations(user_rows)
        item_biases, item_vectors = items
        scores = user_vectors @ item_vectors.T + user_biases[:, np.newaxis] + item_biases[np.newaxis, :]
        return {pk: scores[row] for row, pk in enumerate(ids) if scorable[row]}

    @cached_property
    def _item_representations(self) -> Representations:
        biases, vectors = self.model.get_item_representations(self.item_matrix)
        return biases, vectors

    def score_all_customers(self) -> np.ndarray:
        """Scores of every trained customer for every trained product (customers × products): the
        learned representations and one matrix product, not a predict call per pair."""
        user_biases, user_vectors = self.model.get_user_representations(self.user_matrix)
        item_biases, item_vectors = self._item_representations
        return np.asarray(
            user_vectors @ item_vectors.T + user_biases[:, np.newaxis] + item_biases[np.newaxis, :]
        )

    @cached_property
    def item_embeddings(self) -> np.ndarray:
        """Unit-length product vectors, to find which bought product explains a recommendation."""
        _, vectors = self._item_representations
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.asarray(vectors / np.where(norms == 0, 1, norms))


def train(
    data: list[Interaction],
    parameters: Mapping[str, Any],
    *,
    hybrid: bool = True,
    known_users: Mapping[int, Features] | None = None,
) -> TrainedRecommender:
    """Fit on ``data``. ``known_users`` replaces the stored user features (an evaluation
    derives them from its training period only, so the future does not leak in)."""
    started = time.perf_counter()
    customer_ids = sorted({row.customer_id for row in data})
    product_ids = sorted({row.product_id for row in data})
    feature_weight = parameters["feature_weight"]
    users = FeatureSpace({pk: index for index, pk in enumerate(customer_ids)}, feature_weight=feature_weight)
    items = FeatureSpace({pk: index for index, pk in enumerate(product_ids)}, feature_weight=feature_weight)
    bands = price_bands()
    user_values = (
        {} if not hybrid else dict(known_users) if known_users is not None else user_features(customer_ids)
    )
    item_values = item_features(product_ids, bands) if hybrid else {}
    users.names = _vocabulary(user_values)
    items.names = _vocabulary(item_values)
    shape = (len(customer_ids), len(product_ids))
    rows = np.array([users.entities[row.customer_id] for row in data], dtype=np.int32)
    cols = np.array([items.entities[row.product_id] for row in data], dtype=np.int32)
    weights = np.array([row.weight for row in data], dtype=np.float32)
    seen = sparse.coo_matrix((np.ones_like(weights), (rows, cols)), shape=shape)
    sample_weight = sparse.coo_matrix((weights / weights.mean(), (rows, cols)), shape=shape)
    model = LightFM(
        no_components=parameters["no_components"],
        loss=parameters["loss"],
        learning_rate=parameters["learning_rate"],
        item_alpha=parameters["item_alpha"],
        user_alpha=parameters["user_alpha"],
        random_state=parameters["random_state"],
    )
    user_matrix = users.rows(customer_ids, user_values, identity=True)
    item_matrix = items.rows(product_ids, item_values, identity=True)
    model.fit(
        seen,
        sample_weight=sample_weight,
        user_features=user_matrix,
        item_features=item_matrix,
        epochs=parameters["epochs"],
        num_threads=parameters["threads"],
    )
    return TrainedRecommender(
        model=model,
        hybrid=hybrid,
        users=users,
        items=items,
        product_ids=product_ids,
        bands=bands,
        item_matrix=item_matrix,
        user_matrix=user_matrix,
        sizes={
            "customers": len(customer_ids),
            "products": len(product_ids),
            "interactions": len(data),
            "user_features": len(users.names),
            "item_features": len(items.names),
        },
        seconds=time.perf_counter() - started,
    )


def _vocabulary(values: Mapping[int, Features]) -> dict[str, int]:
    names = sorted({name for features in values.values() for name in features})
    return {name: index for index, name in enumerate(names)}
