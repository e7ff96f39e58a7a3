"""Edges computed from all purchases at once, on a schedule: SIMILAR_TO and COMPLEMENTS."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from scipy import sparse

from customers.models import CustomerInterest
from customers.ownership import acquisitions
from graph.port import Graph
from graph.schema import COMPLEMENTS, SIMILAR_TO
from graph.selectors import Props

# SIMILAR_TO blends what two customers bought with what they are interested in.
PRODUCT_WEIGHT, INTEREST_WEIGHT = 0.8, 0.2
# COMPLEMENTS keeps co-purchases this many standard deviations above chance.
MIN_Z = 3.0


@dataclass(frozen=True)
class DerivedCounts:
    similar_to: int
    complements: int


def graph_derived_edges_write(graph: Graph) -> DerivedCounts:
    """Recompute both kinds from PostgreSQL and replace them in the graph, each in one transaction."""
    similar = similar_customer_edges(settings.GRAPH_SIMILAR_TOP_K)
    complements = complement_edges(settings.GRAPH_COMPLEMENTS_TOP_K, settings.GRAPH_COMPLEMENTS_MIN_BASKETS)
    for edge_type, rows in ((SIMILAR_TO, similar), (COMPLEMENTS, complements)):
        with graph.engine.transaction():
            graph.delete_all_edges(edge_type)
            graph.create_edges(edge_type, rows)
    return DerivedCounts(similar_to=len(similar), complements=len(complements))


def _index(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and, for each input, its position among them."""
    distinct, positions = np.unique(values, return_inverse=True)
    return distinct, positions


def similar_customer_edges(top_k: int) -> list[Props]:
    """Per customer, the ``top_k`` customers with the highest

        score = 0.8 · cos(products) + 0.2 · cos(interests)

    where cos(products) = |A ∩ B| / √(|A|·|B|) over the sets of products each has
    (``customers.ownership``: sale lines and purchase events),
    and cos(interests) is the cosine of their current interest strengths. Candidates
    are the 3·k customers with the highest product cosine (at least one product shared).
    """
    pairs = np.array(
        list({(row.customer_id, row.product_id) for row in acquisitions()}), dtype=np.int64
    ).reshape(-1, 2)
    if not len(pairs):
        return []
    customers, rows = _index(pairs[:, 0])
    products, cols = _index(pairs[:, 1])
    bought = sparse.csr_matrix(
        (np.ones(len(pairs), dtype=np.float32), (rows, cols)), (len(customers), len(products))
    )
    sizes = np.asarray(bought.sum(axis=1)).ravel()
    shared = (bought @ bought.T).tocsr()
    shared.setdiag(0)
    shared.eliminate_zeros()
    interests = _interest_vectors(customers)
    edges: list[Props] = []
    for row in range(len(customers)):
        start, end = shared.indptr[row], shared.indptr[row + 1]
        if start == end:
            continue
        others, counts = shared.indices[start:end], shared.data[start:end]
        cosine = counts / np.sqrt(sizes[row] * sizes[others])
        keep = np.argsort(-cosine, kind="stable")[: 3 * top_k]
        others, counts, cosine = others[keep], counts[keep], cosine[keep]
        mine = interests.get(row, {})
        blended = []
        for other, count, product_cosine in zip(others, counts, cosine, strict=True):
            theirs = interests.get(int(other), {})
            score = PRODUCT_WEIGHT * product_cosine + INTEREST_WEIGHT * _cosine(mine, theirs)
            blended.append((score, int(other), int(count), len(mine.keys() & theirs.keys())))
        blended.sort(key=lambda item: (-item[0], item[1]))
        edges += [
            {
                "from_id": int(customers[row]),
                "to_id": int(customers[other]),
                "score": round(float(score), 6),
                "shared_products": count,
                "shared_interests": common,
            }
            for score, other, count, common in blended[:top_k]
        ]
    return edges


def _interest_vectors(customers: np.ndarray) -> dict[int, dict[int, float]]:
    """Current interest strengths by customer position, summed over sources."""
    position = {int(pk): index for index, pk in enumerate(customers)}
    vectors: dict[int, dict[int, float]] = defaultdict(dict)
    for customer_id, interest_id, confidence in CustomerInterest.objects.current().values_list(
        "customer_id", "interest_id", "confidence"
    ):
        if customer_id in position:
            vector = vectors[position[customer_id]]
            vector[interest_id] = vector.get(interest_id, 0.0) + confidence
    return vectors


def _cosine(a: dict[int, float], b: dict[int, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(weight * b[key] for key, weight in a.items() if key in b)
    norm = np.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))
    return float(dot / norm) if norm else 0.0


def complement_edges(top_k: int, min_baskets: int) -> list[Props]:
    """Per product, the ``top_k`` products most often in the same basket beyond chance: one
    order of one customer (``customers.ownership``: an invoice, or what came at one moment).

    With N baskets, n(a) baskets holding a and n(a, b) holding both:

        lift = n(a, b) · N / (n(a) · n(b))

    and the pair is kept when n(a, b) ≥ ``min_baskets`` and n(a, b) lies at least
    three standard deviations above its expectation under independence,
    e = n(a) · n(b) / N, taking the count as Poisson: (n(a, b) − e) / √e ≥ 3.
    """
    lines = np.array(
        list({(f"{row.customer_id}/{row.order}", row.product_id) for row in acquisitions()}), dtype=object
    ).reshape(-1, 2)
    if not len(lines):
        return []
    baskets, rows = _index(lines[:, 0].astype(str))
    products, cols = _index(lines[:, 1].astype(np.int64))
    holding = sparse.csr_matrix(
        (np.ones(len(lines), dtype=np.float32), (rows, cols)), (len(baskets), len(products))
    )
    together = (holding.T @ holding).tocsr()
    alone = together.diagonal().copy()
    together.setdiag(0)
    together.eliminate_zeros()
    total = float(len(baskets))
    edges: list[Props] = []
    for row in range(len(products)):
        start, end = together.indptr[row], together.indptr[row + 1]
        others, counts = together.indices[start:end], together.data[start:end]
        expected = alone[row] * alone[others] / total
        significant = (counts >= min_baskets) & ((counts - expected) / np.sqrt(expected) >= MIN_Z)
        others, counts, expected = others[significant], counts[significant], expected[significant]
        lift = counts / expected
        for index in np.argsort(-lift, kind="stable")[:top_k]:
            edges.append(
                {
                    "from_id": int(products[row]),
                    "to_id": int(products[others[index]]),
                    "count": int(counts[index]),
                    "lift": round(float(lift[index]), 4),
                }
            )
    return edges
