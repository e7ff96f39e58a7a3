"""Customers like you: what a customer's nearest customers have bought lately.

Customers are near when they bought the same products, rare products counting more than
bestsellers (each product weighs 1 + the log of how few customers bought it, IDF, and each
customer's vector has unit length: cosine similarity). A customer's candidates are the
products its ``NEIGHBOURS`` nearest customers bought, each neighbour counting by its
similarity squared (the nearest matter most) and each purchase by how recent it is: its weight
halves every ``half_life_days`` since that neighbour last bought it. The half-life is the
blend's popularity window: a shop whose bestsellers change weekly has neighbours whose
purchases of months ago say little. What the customer has is listed too, besides ``POOL``
others: the blend's re-purchase rules decide whether it is offered again, and neighbours
buying it lately is a reason to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from customers.ownership import Acquisition, last_moments_of
from recommendations.ageing import decay
from recommendations.blending import POOL, Candidates, Shopper

NEIGHBOURS = 200


@dataclass(frozen=True)
class Neighbourhood:
    customers: np.ndarray  # row → customer id
    row: Mapping[int, int]  # customer id → row
    product_ids: np.ndarray  # column → product id
    column: Mapping[int, int]  # product id → column
    idf: np.ndarray  # per column
    profiles: sparse.csr_matrix  # customers × products: IDF-weighted, unit rows
    lately: sparse.csr_matrix  # customers × products: ½^(days since last bought / half-life)
    half_life_days: int | None

    @property
    def reason(self) -> str:
        lately = " lately" if self.half_life_days else ""
        return f"Bought{lately} by customers like you"


def neighbourhood_of(rows: Sequence[Acquisition], half_life_days: int | None) -> Neighbourhood | None:
    """Who bought what and when they last did, from purchases up to the last of them."""
    if not rows:
        return None
    last = last_moments_of(rows)
    customers = np.array(sorted({customer for customer, _ in last}), dtype=np.int64)
    product_ids = np.array(sorted({product for _, product in last}), dtype=np.int64)
    row_of = {int(pk): i for i, pk in enumerate(customers)}
    column = {int(pk): j for j, pk in enumerate(product_ids)}
    rows_, columns = (
        np.fromiter((row_of[c] for c, _ in last), np.int64, len(last)),
        np.fromiter((column[p] for _, p in last), np.int64, len(last)),
    )
    shape = (len(customers), len(product_ids))
    aged = decay(max(last.values()), last.values(), half_life_days)
    lately = sparse.csr_matrix((aged, (rows_, columns)), shape=shape)
    buyers = np.bincount(columns, minlength=len(product_ids))
    idf = (1 + np.log((1 + len(customers)) / (1 + buyers))).astype(np.float32)  # > 0: smoothed
    profiles = sparse.csr_matrix((idf[columns], (rows_, columns)), shape=shape)
    return Neighbourhood(
        customers, row_of, product_ids, column, idf, _unit_rows(profiles), lately, half_life_days
    )


def _unit_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return sparse.diags(1 / norms).astype(np.float32) @ matrix


def neighbour_candidates(
    shoppers: Sequence[Shopper], neighbourhood: Neighbourhood | None
) -> dict[int, Candidates]:
    """Per customer with a history, what its nearest customers bought lately, best first. One
    matrix product for all of them: a campaign batch costs about what one customer does."""
    if neighbourhood is None:
        return {}
    column = neighbourhood.column
    known = [s for s in shoppers if any(pk in column for pk in s.bought)]
    if not known:
        return {}
    rows, cols = [], []
    for i, shopper in enumerate(known):
        mine = [column[pk] for pk in shopper.bought if pk in column]
        rows += [i] * len(mine)
        cols += mine
    owned = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(known), len(column))
    )
    profiles = _unit_rows(owned.multiply(neighbourhood.idf[np.newaxis, :]).tocsr())
    similarity = np.asarray((profiles @ neighbourhood.profiles.T).todense())
    for i, shopper in enumerate(known):  # nobody is its own neighbour
        if shopper.customer_id in neighbourhood.row:
            similarity[i, neighbourhood.row[shopper.customer_id]] = 0
    count = min(NEIGHBOURS, similarity.shape[1])
    if count < similarity.shape[1]:
        beyond = np.argpartition(-similarity, count - 1, axis=1)[:, count:]
        np.put_along_axis(similarity, beyond, 0, axis=1)
    scores = (sparse.csr_matrix(similarity**2) @ neighbourhood.lately).toarray()
    found = {}
    owned_counts = np.asarray(owned.sum(axis=1)).ravel().astype(int)
    for i, shopper in enumerate(known):  # what it has may be offered again: POOL besides those
        best = np.argsort(-scores[i], kind="stable")[: POOL + owned_counts[i]]
        order = [int(j) for j in best if scores[i, j] > 0]
        if order:
            found[shopper.customer_id] = Candidates.of(
                neighbourhood.product_ids[order].tolist(), "neighbours", neighbourhood.reason
            )
    return found
