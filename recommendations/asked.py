"""More like this: the products most like those a customer asked for more like.

A product is like an asked one by what it says (the cosine of their TF-IDF vectors,
``content.py``) plus by who buys it (the cosine of their buyer columns in the neighbourhood's
customer profiles, ``neighbours.py``): each in [0, 1], so a product both reads like it and is
bought by the same customers comes first. Each candidate is explained by the asked product it
is most like: "More like <name>, as you asked".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from recommendations.blending import POOL, Candidates, Shopper
from recommendations.content import ContentIndex
from recommendations.neighbours import Neighbourhood

ASKED_PRODUCTS = 10  # the latest products a customer asked for more like that count


def asked_candidates(
    shoppers: Sequence[Shopper], index: ContentIndex, neighbourhood: Neighbourhood | None
) -> dict[int, Candidates]:
    """Per customer who asked for more like some products, the products most like them."""
    asking = [s for s in shoppers if any(pk in index.row for pk in s.more_like_this)]
    if not asking:
        return {}
    buyers = _Buyers.of(neighbourhood, index)
    found = {}
    for shopper in asking:
        asked = [pk for pk in shopper.more_like_this if pk in index.row][:ASKED_PRODUCTS]
        rows = [index.row[pk] for pk in asked]
        scores = _read_alike(index, rows) + (buyers.alike(asked) if buyers else 0)
        scores[:, rows] = 0
        best, because = scores.max(axis=0), scores.argmax(axis=0)
        order = [int(j) for j in np.argsort(-best, kind="stable")[: POOL // 2] if best[j] > 0]
        if order:
            found[shopper.customer_id] = Candidates(
                [index.product_ids[j] for j in order],
                ["more_like_this"] * len(order),
                [f"More like {index.names[rows[because[j]]]}, as you asked" for j in order],
            )
    return found


def _read_alike(index: ContentIndex, rows: list[int]) -> np.ndarray:
    """Asked products × every product of the index: the cosine of their texts."""
    if not index.vectors.shape[1]:
        return np.zeros((len(rows), len(index.product_ids)), dtype=np.float32)
    return np.asarray((index.vectors[rows] @ index.vectors.T).todense(), dtype=np.float32)


@dataclass(frozen=True)
class _Buyers:
    """Who bought each product (the neighbourhood's customer profiles by column), built once per
    batch of customers, and where each of its products sits in the content index."""

    neighbourhood: Neighbourhood
    columns: sparse.csc_matrix  # customers × products
    norms: np.ndarray  # per product column
    targets: np.ndarray  # per product column: its row in the content index, or -1
    width: int  # products in the content index

    @classmethod
    def of(cls, neighbourhood: Neighbourhood | None, index: ContentIndex) -> _Buyers | None:
        if neighbourhood is None:
            return None
        columns = neighbourhood.profiles.tocsc()
        norms = np.sqrt(np.asarray(columns.multiply(columns).sum(axis=0)).ravel())
        norms[norms == 0] = 1
        targets = np.array([index.row.get(int(pk), -1) for pk in neighbourhood.product_ids], dtype=np.int64)
        return cls(neighbourhood, columns, norms, targets, len(index.product_ids))

    def alike(self, asked: list[int]) -> np.ndarray:
        """Asked products × every product of the content index: the cosine of their buyers."""
        found = np.zeros((len(asked), self.width), dtype=np.float32)
        placed = [
            (i, self.neighbourhood.column[pk])
            for i, pk in enumerate(asked)
            if pk in self.neighbourhood.column
        ]
        if not placed:
            return found
        columns = [column for _, column in placed]
        cosines = np.asarray((self.columns[:, columns].T @ self.columns).todense())
        cosines /= self.norms[columns, np.newaxis] * self.norms[np.newaxis, :]
        known = self.targets >= 0
        for place, (i, _) in enumerate(placed):
            found[i, self.targets[known]] = cosines[place, known]
        return found
