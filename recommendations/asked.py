"""More like this: the products most like those a customer asked for more like.

A product is like an asked one by what it says (the cosine of their TF-IDF vectors,
``content.py``) plus by who buys it (the cosine of their buyer columns in the neighbourhood's
customer profiles, ``neighbours.py``): each in [0, 1], so a product both reads like it and is
bought by the same customers comes first. Each candidate is explained by the asked product it
is most like: "More like <name>, as you asked".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from recommendations.blending import POOL, Candidates, Shopper
from recommendations.content import ContentIndex
from recommendations.neighbours import Neighbourhood

ASKED_PRODUCTS = 10  # the latest products a customer asked for more like that count


def asked_candidates(
    shoppers: Sequence[Shopper], index: ContentIndex, neighbourhood: Neighbourhood | None
) -> dict[int, Candidates]:
    """Per customer who asked for more like some products, the products most like them."""
    found = {}
    for shopper in shoppers:
        asked = [pk for pk in shopper.more_like_this if pk in index.row][:ASKED_PRODUCTS]
        if not asked:
            continue
        rows = [index.row[pk] for pk in asked]
        scores = _read_alike(index, rows) + _bought_alike(index, asked, neighbourhood)
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


def _bought_alike(index: ContentIndex, asked: list[int], neighbourhood: Neighbourhood | None) -> np.ndarray:
    """Asked products × every product of the index: the cosine of their buyers."""
    found = np.zeros((len(asked), len(index.product_ids)), dtype=np.float32)
    if neighbourhood is None:
        return found
    bought = [(i, neighbourhood.column[pk]) for i, pk in enumerate(asked) if pk in neighbourhood.column]
    if not bought:
        return found
    buyers = neighbourhood.profiles.tocsc()
    norms = np.sqrt(np.asarray(buyers.multiply(buyers).sum(axis=0)).ravel())
    norms[norms == 0] = 1
    columns = [column for _, column in bought]
    cosines = np.asarray((buyers[:, columns].T @ buyers).todense()) / norms[columns, np.newaxis] / norms
    targets = np.array([index.row.get(int(pk), -1) for pk in neighbourhood.product_ids])
    known = targets >= 0
    for place, (i, _) in enumerate(bought):
        found[i, targets[known]] = cosines[place, known]
    return found
