"""The named graph queries. Fixed Cypher text, parameters only: no query is built from input.

Each returns plain dataclasses, so callers (recommendations, API, admin) never
see which database answered.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from graph.engine import GraphEngine, Row

SIMILAR = """
MATCH (a:Customer {id: $id})-[s:SIMILAR_TO]->(b:Customer)
RETURN b.id, b.external_id, b.name, s.score, s.shared_products, s.shared_interests
ORDER BY s.score DESC, b.id LIMIT $limit
"""
SHARED_PRODUCTS = """
MATCH (a:Customer {id: $id})-[x:PURCHASED]->(p:Product)<-[y:PURCHASED]-(b:Customer)
WHERE b.id IN $others
RETURN b.id, p.sku, p.name, x.times + y.times AS weight
ORDER BY weight DESC, p.id
"""
SHARED_INTERESTS = """
MATCH (a:Customer {id: $id})-[:INTERESTED_IN]->(t:Interest)<-[:INTERESTED_IN]-(b:Customer)
WHERE b.id IN $others
RETURN DISTINCT b.id, t.slug, t.name
"""
# The two collaborative walks read the edges of a whole batch in a few statements and sum
# them here: one aggregation per customer (with ``NOT EXISTS`` for what it bought) cost the
# embedded engine 5 to 8 ms of CPU a customer; this way both walks take under 2 ms.
NEIGHBOURS = """
MATCH (a:Customer)-[s:SIMILAR_TO]->(b:Customer)
WHERE a.id IN $ids
RETURN a.id, b.id, s.score
"""
# One row per customer or product, with lists: the rows cross into Python 2 to 3 times faster.
# The batch's customers and their neighbours in one statement: ``IN`` reads every purchase
# edge (4 ms even for one customer), so reading them twice cost a single email 4 ms more.
PURCHASES = """
MATCH (a:Customer)-[r:PURCHASED]->(p:Product)
WHERE a.id IN $ids
RETURN a.id, collect(p.id), collect(p.active), collect(r.last_purchase)
"""
COMPLEMENTS_OF_PRODUCTS = """
MATCH (recent:Product)-[c:COMPLEMENTS]->(p:Product)
WHERE recent.id IN $ids AND p.active
RETURN recent.id, collect(p.id), collect(c.lift)
"""
PRODUCT_NAMES = "MATCH (p:Product) WHERE p.id IN $ids RETURN collect(p.id), collect(p.sku), collect(p.name)"
# Buyers are counted with ``COUNT {}``: Neo4j answers it from its degree counts, where
# matching every buyer walked each product's purchases (p50 430 ms on the full import).
POPULAR_IN_INTERESTS = """
MATCH (a:Customer {id: $id})-[i:INTERESTED_IN]->(t:Interest)
MATCH (c:Category {id: t.category_id})<-[:BELONGS_TO]-(p:Product)
WHERE p.active AND NOT EXISTS { MATCH (a)-[:PURCHASED]->(p) }
WITH p, t, i.strength AS strength, COUNT { MATCH (p)<-[:PURCHASED]-() } AS buyers
WHERE buyers > 0
RETURN p.id, p.sku, p.name, max(strength * buyers) AS score, collect(DISTINCT t.name) AS because
ORDER BY score DESC, p.id LIMIT $limit
"""
COMPLEMENTS = """
MATCH (p:Product {id: $id})-[c:COMPLEMENTS]->(q:Product)
RETURN q.id, q.sku, q.name, c.count, c.lift
ORDER BY c.lift DESC, c.count DESC, q.id LIMIT $limit
"""
PROFILE_PRODUCTS = """
MATCH (a:Customer {id: $id})-[e:PURCHASED]->(p:Product)
OPTIONAL MATCH (p)-[:BELONGS_TO]->(c:Category)
RETURN a.external_id, a.name, p.id, p.sku, p.name, e.times, e.amount, e.last_purchase, c.id, c.slug, c.name
ORDER BY e.times DESC, e.amount DESC, p.id LIMIT $limit
"""
PROFILE_INTERESTS = """
MATCH (a:Customer {id: $id})-[e:INTERESTED_IN]->(t:Interest)
RETURN t.id, t.slug, t.name, e.strength, e.source
ORDER BY e.strength DESC, t.id
"""
PROFILE_CUSTOMER = "MATCH (a:Customer {id: $id}) RETURN a.external_id, a.name, a.country"


@dataclass(frozen=True)
class SharedProduct:
    sku: str
    name: str


@dataclass(frozen=True)
class SimilarCustomer:
    id: int
    external_id: str
    name: str
    score: float
    shared_product_count: int
    shared_interest_count: int
    shared_products: list[SharedProduct] = field(default_factory=list)
    shared_interests: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Candidate:
    product_id: int
    sku: str
    name: str
    score: float
    strategy: str  # similar_customers | complements | popular_in_interests
    because: list[str]  # product or interest names the reason cites


@dataclass(frozen=True)
class Complement:
    product_id: int
    sku: str
    name: str
    count: int
    lift: float


@dataclass(frozen=True)
class Subgraph:
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]


def similar_customers(engine: GraphEngine, customer_id: int, limit: int) -> list[SimilarCustomer]:
    """The most similar customers, each with the products and interests both share (the why)."""
    rows = engine.run(SIMILAR, {"id": customer_id, "limit": limit})
    others = [row[0] for row in rows]
    products: dict[int, list[SharedProduct]] = defaultdict(list)
    interests: dict[int, list[str]] = defaultdict(list)
    if others:
        for other, sku, name, _ in engine.run(SHARED_PRODUCTS, {"id": customer_id, "others": others}):
            if len(products[other]) < 5:
                products[other].append(SharedProduct(sku, name))
        for other, _, name in engine.run(SHARED_INTERESTS, {"id": customer_id, "others": others}):
            interests[other].append(name)
    return [
        SimilarCustomer(
            id=other,
            external_id=external_id,
            name=name or "",
            score=float(score),
            shared_product_count=int(shared_products),
            shared_interest_count=int(shared_interests),
            shared_products=products[other],
            shared_interests=sorted(interests[other]),
        )
        for other, external_id, name, score, shared_products, shared_interests in rows
    ]


WALKS = ("similar_customers", "complements", "popular_in_interests")
# (customer, product, score, walk, because: product ids for complements, else words)
Walked = tuple[int, int, float, str, list[Any]]


def recommendation_candidates(
    engine: GraphEngine, customer_ids: list[int], limit: int, walks: tuple[str, ...] = WALKS
) -> dict[int, list[Candidate]]:
    """Candidates per customer from up to three walks: what similar customers bought, complements
    of the 10 latest purchases, and what sells best within the customer's interests; never a
    product the customer bought or an inactive one. Best first per walk."""
    customer_ids = list(dict.fromkeys(customer_ids))
    edges = engine.run(NEIGHBOURS, {"ids": customer_ids}) if "similar_customers" in walks else []
    # customer or neighbour → (products, whether each is active, when each was bought last)
    purchases: dict[int, tuple[list[int], list[bool], list[str | None]]] = {}
    if "similar_customers" in walks or "complements" in walks:
        everyone = sorted(set(customer_ids) | {other for _, other, _ in edges})
        purchases = {row[0]: row[1:] for row in engine.run(PURCHASES, {"ids": everyone})}
    # customer → {product: last purchase}
    bought: dict[int, dict[int, str]] = {
        pk: dict(zip(purchases[pk][0], (last or "" for last in purchases[pk][2]), strict=True))
        if pk in purchases
        else {}
        for pk in customer_ids
    }
    walked: list[Walked] = []
    if edges:
        walked += _bought_by_similar(customer_ids, edges, purchases, bought, limit)
    if "complements" in walks:
        walked += _complements_of_recent(engine, customer_ids, bought, limit)
    named: dict[int, tuple[str, str]] = {}
    if walked:
        ids = {row[1] for row in walked}  # the products, and the purchases complements cite
        ids.update(*(row[4] for row in walked if row[3] == "complements"))
        ((pks, skus, names),) = engine.run(PRODUCT_NAMES, {"ids": sorted(ids)})
        named = {pk: (sku, name) for pk, sku, name in zip(pks, skus, names, strict=True)}
    found: dict[int, list[Candidate]] = {pk: [] for pk in customer_ids}
    for pk, product, score, walk, because in walked:
        if walk == "complements":
            because = sorted({named[recent][1] for recent in because})[:3]
        found[pk].append(Candidate(product, *named[product], float(score), walk, because))
    if "popular_in_interests" in walks:
        params = [{"id": pk, "limit": limit} for pk in customer_ids]
        for pk, rows in zip(customer_ids, engine.run_each(POPULAR_IN_INTERESTS, params), strict=True):
            found[pk] += [
                Candidate(
                    row[0], row[1], row[2], float(row[3]), "popular_in_interests", sorted(set(row[4]))[:3]
                )
                for row in rows
            ]
    return found


def _bought_by_similar(
    customer_ids: list[int],
    edges: list[Row],
    purchases: dict[int, tuple[list[int], list[bool], list[str | None]]],
    bought: dict[int, dict[int, str]],
    limit: int,
) -> list[Walked]:
    """Per customer, the active products its similar customers bought and it did not, scored by
    the sum of their similarity: (customers × neighbours) @ (neighbours × products)."""
    others = np.unique([other for _, other, _ in edges])
    lists = [(pk, *purchases[pk][:2]) for pk in others.tolist() if pk in purchases]
    if not lists:
        return []
    active = np.concatenate([np.array(flags, dtype=bool) for _, _, flags in lists])
    if not active.any():
        return []
    buyer_rows = np.searchsorted(others, [pk for pk, *_ in lists]).repeat(
        [len(found) for _, found, _ in lists]
    )
    products, columns = np.unique(
        np.concatenate([found for _, found, _ in lists])[active], return_inverse=True
    )
    bought_by = sparse.csr_matrix(
        (np.ones(len(columns)), (buyer_rows[active], columns)), shape=(len(others), len(products))
    )
    row_of = {pk: row for row, pk in enumerate(customer_ids)}
    rows = [row_of[pk] for pk, _, _ in edges]
    neighbour_columns = np.searchsorted(others, [other for _, other, _ in edges])
    shape = (len(customer_ids), len(others))
    similarity = sparse.csr_matrix(([score for *_, score in edges], (rows, neighbour_columns)), shape=shape)
    neighbourhood = sparse.csr_matrix((np.ones(len(edges)), (rows, neighbour_columns)), shape=shape)
    scores, buyers = (similarity @ bought_by).toarray(), (neighbourhood @ bought_by).toarray()
    walked: list[Walked] = []
    for row, pk in enumerate(customer_ids):
        eligible = (buyers[row] > 0) & ~np.isin(products, list(bought[pk]))
        found = np.flatnonzero(eligible)
        best = found[np.lexsort((products[found], -scores[row, found]))[:limit]]
        walked += [
            (
                pk,
                int(products[c]),
                float(scores[row, c]),
                "similar_customers",
                [f"{int(buyers[row, c])} similar customers"],
            )
            for c in best
        ]
    return walked


def _complements_of_recent(
    engine: GraphEngine, customer_ids: list[int], bought: dict[int, dict[int, str]], limit: int
) -> list[Walked]:
    """Per customer, what complements its 10 latest purchases (and was not bought), scored by
    the sum of the lifts; ``because`` lists the purchases it complements."""
    recent = {pk: _latest(bought[pk], 10) for pk in customer_ids}
    complements: dict[int, list[tuple[int, float]]] = defaultdict(list)
    products = sorted({product for found in recent.values() for product in found})
    if products:
        for product, others, lifts in engine.run(COMPLEMENTS_OF_PRODUCTS, {"ids": products}):
            complements[product] = list(zip(others, lifts, strict=True))
    walked: list[Walked] = []
    for pk in customer_ids:
        scores: dict[int, float] = defaultdict(float)
        because: dict[int, list[int]] = defaultdict(list)
        for product in recent[pk]:
            for other, lift in complements[product]:
                if other not in bought[pk]:
                    scores[other] += lift
                    because[other].append(product)
        walked += [
            (pk, other, scores[other], "complements", because[other]) for other in _best(scores, limit)
        ]
    return walked


def _best(scores: dict[int, float], limit: int) -> list[int]:
    """The ``limit`` highest scored, ties by id."""
    return heapq.nsmallest(limit, scores, key=lambda pk: (-scores[pk], pk))


def _latest(purchases: dict[int, str], count: int) -> list[int]:
    """The ``count`` products bought last (their ISO times sort as text), ties by id."""
    return sorted(sorted(purchases), key=purchases.__getitem__, reverse=True)[:count]


def complements(engine: GraphEngine, product_id: int, limit: int) -> list[Complement]:
    return [
        Complement(row[0], row[1], row[2], int(row[3]), float(row[4]))
        for row in engine.run(COMPLEMENTS, {"id": product_id, "limit": limit})
    ]


def profile_subgraph(engine: GraphEngine, customer_id: int, limit: int, similar: int) -> Subgraph:
    """The customer, its most bought products with their categories, its interests and (up to
    ``similar``) its most similar customers: nodes and edges a frontend can draw as they are.
    Nodes are named by their public keys (external id, SKU, slug), never database ids."""
    customer = engine.run(PROFILE_CUSTOMER, {"id": customer_id})
    if not customer:
        return Subgraph(nodes=[], edges=[])
    external_id, name, country = customer[0]
    me = f"customer:{external_id}"
    nodes = {me: {"id": me, "label": "Customer", "name": name or external_id, "country": country}}
    edges: list[dict[str, Any]] = []
    for row in engine.run(PROFILE_PRODUCTS, {"id": customer_id, "limit": limit}):
        _, _, _, sku, product_name, times, amount, last, category_id, slug, category_name = row
        product = f"product:{sku}"
        nodes[product] = {"id": product, "label": "Product", "name": product_name}
        edges.append(_edge(me, product, "PURCHASED", times=times, amount=amount, last_purchase=last))
        if category_id is not None:
            category = f"category:{slug}"
            nodes[category] = {"id": category, "label": "Category", "name": category_name}
            edges.append(_edge(product, category, "BELONGS_TO"))
    for _, slug, interest_name, strength, source in engine.run(PROFILE_INTERESTS, {"id": customer_id}):
        interest = f"interest:{slug}"
        nodes[interest] = {"id": interest, "label": "Interest", "name": interest_name}
        edges.append(_edge(me, interest, "INTERESTED_IN", strength=strength, origin=source))
    if similar:
        for _, other_id, other_name, score, *_ in engine.run(SIMILAR, {"id": customer_id, "limit": similar}):
            node = f"customer:{other_id}"
            nodes[node] = {"id": node, "label": "Customer", "name": other_name or other_id}
            edges.append(_edge(me, node, "SIMILAR_TO", score=score))
    return Subgraph(nodes=list(nodes.values()), edges=edges)


def _edge(source: str, target: str, kind: str, **properties: Any) -> dict[str, Any]:
    return {"source": source, "target": target, "type": kind, **properties}
