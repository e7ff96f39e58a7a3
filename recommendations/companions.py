"""Bought together: the products that go with what a customer has, learnt from every basket.

A linear item-to-item model (EASE, Steck 2019, "Embarrassingly Shallow Autoencoders"): the
weights ``W`` that best rebuild each customer's products from its other products, in closed
form: ``P = (XᵀX + λI)⁻¹``, ``W = −P / diag(P)`` with a zero diagonal. Unlike a co-purchase
count it learns what a product adds beyond the others bought with it, so bestsellers that go
with everything do not crowd out the product that goes with this basket.

``X`` holds each customer's products, each weighing ``√½`` for every ``half_life_days`` since
the customer last bought it (the blend's popularity window, as the neighbours' purchases): a
shop whose tastes move fast learns from its recent baskets. λ scales with the data (a multiple
of the mean column weight), so a shop ten times larger is regularised alike. The model learns
the ``MAX_PRODUCTS`` products with most (recent) buyers, and keeps each product's ``KEEP``
strongest companions: its cost grows with the cube of the products (about a second for 2,000),
and the weakest weights are mostly noise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy import sparse

from catalog.models import Product
from customers.ownership import Acquisition, last_moments_of
from recommendations.ageing import decay
from recommendations.blending import POOL, Candidates, Shopper

MAX_PRODUCTS = 2000
KEEP = 100
RIDGE = 8.0  # λ as a multiple of the mean weight of a product's column


@dataclass(frozen=True)
class Companions:
    product_ids: np.ndarray  # row and column → product id
    column: Mapping[int, int]  # product id → row and column
    weights: sparse.csr_matrix  # product bought × product it brings: the kept weights
    end: datetime  # the last purchase learnt from: what ages are counted to
    half_life_days: int | None


def companions_of(rows: Sequence[Acquisition], half_life_days: int | None) -> Companions | None:
    """The model of ``rows`` (purchases up to the last of them); None without two products bought."""
    last = last_moments_of(rows)
    if not last:
        return None
    end = max(last.values())
    customers = {pk: i for i, pk in enumerate(sorted({customer for customer, _ in last}))}
    products = np.array(sorted({product for _, product in last}), dtype=np.int64)
    column = {int(pk): j for j, pk in enumerate(products)}
    baskets = sparse.csr_matrix(
        (
            _aged(end, list(last.values()), half_life_days),
            ([customers[c] for c, _ in last], [column[p] for _, p in last]),
        ),
        shape=(len(customers), len(products)),
    )
    mass = np.asarray(baskets.multiply(baskets).sum(axis=0)).ravel()
    learnt = np.sort(np.argsort(-mass, kind="stable")[:MAX_PRODUCTS])
    if len(learnt) < 2:
        return None
    kept = baskets[:, learnt]
    gram = (kept.T @ kept).toarray().astype(np.float64)
    gram[np.diag_indices_from(gram)] += RIDGE * float(mass.mean())
    inverse = np.linalg.inv(gram)
    weights = -inverse / np.diag(inverse)
    np.fill_diagonal(weights, 0)
    if len(learnt) > KEEP:  # each product's strongest companions, those that bring it most
        weakest = np.argpartition(-weights, KEEP, axis=0)[KEEP:]
        np.put_along_axis(weights, weakest, 0, axis=0)
    ids = products[learnt]
    return Companions(
        ids,
        {int(pk): j for j, pk in enumerate(ids)},
        sparse.csr_matrix(weights.astype(np.float32)),
        end,
        half_life_days,
    )


def _aged(end: datetime, moments: Sequence[datetime], half_life_days: int | None) -> np.ndarray:
    """√½ per half-life since each moment (1 without one): a pair of products bought together
    lately counts ½ per half-life in ``XᵀX``."""
    return np.sqrt(decay(end, moments, half_life_days))


def companion_candidates(shoppers: Sequence[Shopper], companions: Companions | None) -> dict[int, Candidates]:
    """Per customer with a history, the products that go best with what it has (weighed as the
    model learnt them), best first, each explained by the product it has that brings it most.
    What the customer has is listed too, besides ``POOL`` others, for the blend's re-purchase
    rules to decide. One matrix product for all of them."""
    if companions is None:
        return {}
    column = companions.column
    known = [s for s in shoppers if any(pk in column for pk in s.bought)]
    if not known:
        return {}
    rows, cols, values = [], [], []
    for i, shopper in enumerate(known):
        mine = [pk for pk in shopper.bought if pk in column]
        latest = [max(shopper.ordered_at.get(pk, ()), default=companions.end) for pk in mine]
        rows += [i] * len(mine)
        cols += [column[pk] for pk in mine]
        values.append(_aged(companions.end, latest, companions.half_life_days))
    owned = sparse.csr_matrix(
        (np.concatenate(values), (rows, cols)), shape=(len(known), len(companions.product_ids))
    )
    scores = (owned @ companions.weights).toarray()
    listed: dict[int, list[int]] = {}
    because: dict[int, list[int]] = {}
    for i, shopper in enumerate(known):
        best = np.argsort(-scores[i], kind="stable")[: POOL + owned.indptr[i + 1] - owned.indptr[i]]
        order = [int(j) for j in best if scores[i, j] > 0]
        if order:
            listed[shopper.customer_id] = order
            held = owned.indices[owned.indptr[i] : owned.indptr[i + 1]]
            brought = owned.data[owned.indptr[i] : owned.indptr[i + 1], np.newaxis] * (
                companions.weights[held][:, order].toarray()
            )
            because[shopper.customer_id] = held[brought.argmax(axis=0)].tolist()
    ids = companions.product_ids
    names = dict(Product.objects.filter(pk__in={int(ids[j]) for found in because.values() for j in found})
                 .values_list("pk", "name"))  # fmt: skip
    return {
        customer_id: Candidates(
            ids[order].tolist(),
            ["companions"] * len(order),
            [
                f"Goes with {names.get(int(ids[j]), 'what you have')}, which you bought"
                for j in because[customer_id]
            ],
        )
        for customer_id, order in listed.items()
    }
