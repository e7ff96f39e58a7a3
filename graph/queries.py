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

from conversations.models import Channel
from graph.engine import GraphEngine, Row

SIMILAR = """
MATCH (a:Customer {id: $id})-[s:SIMILAR_TO]->(b:Customer)
RETURN b.id, b.external_id, b.name, s.score, s.shared_products, s.shared_interests
ORDER BY s.score DESC, b.id LIMIT $limit
"""
# What a customer shares with its similar customers is joined here, from each side's purchases
# or interests: a pattern through the shared product expanded into thousands of edges on Neo4j.
PURCHASE_TIMES = """
MATCH (a:Customer)-[r:PURCHASED]->(p:Product)
WHERE a.id IN $ids
RETURN a.id, collect(p.id), collect(r.times)
"""
INTEREST_NAMES = """
MATCH (a:Customer)-[:INTERESTED_IN]->(t:Interest)
WHERE a.id IN $ids
RETURN a.id, collect(t.id), collect(t.name)
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
# The batch's own purchases with their dates; its neighbours' (often thousands: heavy buyers
# are similar to many) only as the active products, since Neo4j reads each edge's date from
# its own store (p99 28 ms instead of 17 ms for one customer's ten neighbours).
PURCHASES = """
MATCH (a:Customer)-[r:PURCHASED]->(p:Product)
WHERE a.id IN $ids
RETURN a.id, collect(p.id), collect(p.active), collect(r.last_purchase)
"""
ACTIVE_PURCHASES = """
MATCH (a:Customer)-[:PURCHASED]->(p:Product)
WHERE a.id IN $ids AND p.active
RETURN a.id, collect(p.id)
"""
COMPLEMENTS_OF_PRODUCTS = """
MATCH (recent:Product)-[c:COMPLEMENTS]->(p:Product)
WHERE recent.id IN $ids AND p.active
RETURN recent.id, collect(p.id), collect(c.lift)
"""
PRODUCT_NAMES = "MATCH (p:Product) WHERE p.id IN $ids RETURN collect(p.id), collect(p.sku), collect(p.name)"
# Popularity within interests, for a whole batch: the interests, then the bestsellers of their
# categories once. Buyers are counted with ``COUNT {}``, which Neo4j answers from its degree
# counts; matching every buyer walked each product's purchases (p50 430 ms on the full import).
INTERESTS = """
MATCH (a:Customer)-[i:INTERESTED_IN]->(t:Interest)
WHERE a.id IN $ids
RETURN a.id, collect(t.category_id), collect(i.strength), collect(t.name)
"""
BESTSELLERS = """
MATCH (c:Category)<-[:BELONGS_TO]-(p:Product)
WHERE c.id IN $ids AND p.active
WITH c, p, COUNT { MATCH (p)<-[:PURCHASED]-() } AS buyers
WHERE buyers > 0
RETURN c.id, collect(p.id), collect(buyers)
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
# The latest messages first, then their intents and campaigns: not those of every message.
PROFILE_MESSAGES = """
MATCH (a:Customer {id: $id})-[:SENT]->(m:Message)
WITH m ORDER BY m.sent_at DESC, m.id DESC LIMIT $limit
OPTIONAL MATCH (m)-[h:HAS_INTENT]->(i:Intent)
OPTIONAL MATCH (m)-[:ABOUT]->(c:Campaign)
RETURN m.id, m.channel, m.sent_at, m.language, i.slug, i.name, h.confidence, h.by, c.id, c.name
ORDER BY m.sent_at DESC, m.id DESC
"""
PROFILE_MESSAGE_COUNT = 10


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
    products: dict[int, list[SharedProduct]] = {}
    interests: dict[int, list[str]] = {}
    if others:
        everyone = {"ids": [customer_id, *others]}
        times = {
            row[0]: dict(zip(row[1], row[2], strict=True)) for row in engine.run(PURCHASE_TIMES, everyone)
        }
        mine = times.get(customer_id, {})
        shared = {other: _most_bought_together(mine, times.get(other, {}), 5) for other in others}
        named = _product_names(engine, {pk for found in shared.values() for pk in found})
        products = {other: [SharedProduct(*named[pk]) for pk in found] for other, found in shared.items()}
        held = {
            row[0]: dict(zip(row[1], row[2], strict=True)) for row in engine.run(INTEREST_NAMES, everyone)
        }
        own = held.get(customer_id, {})
        interests = {other: sorted(own[pk] for pk in set(own) & set(held.get(other, {}))) for other in others}
    return [
        SimilarCustomer(
            id=other,
            external_id=external_id,
            name=name or "",
            score=float(score),
            shared_product_count=int(shared_products),
            shared_interest_count=int(shared_interests),
            shared_products=products.get(other, []),
            shared_interests=interests.get(other, []),
        )
        for other, external_id, name, score, shared_products, shared_interests in rows
    ]


def _most_bought_together(mine: dict[int, int], theirs: dict[int, int], count: int) -> list[int]:
    """The products both bought, most times together first, ties by id."""
    return sorted(set(mine) & set(theirs), key=lambda pk: (-mine[pk] - theirs[pk], pk))[:count]


def _product_names(engine: GraphEngine, ids: set[int]) -> dict[int, tuple[str, str]]:
    """SKU and name by product id."""
    if not ids:
        return {}
    ((pks, skus, names),) = engine.run(PRODUCT_NAMES, {"ids": sorted(ids)})
    return {pk: (sku, name) for pk, sku, name in zip(pks, skus, names, strict=True)}


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
    # customer → {product: last purchase}; customer or neighbour → the active products bought
    bought: dict[int, dict[int, str]] = {pk: {} for pk in customer_ids}
    active_bought: dict[int, list[int]] = {}
    for pk, products, active, last in engine.run(PURCHASES, {"ids": customer_ids}):
        bought[pk] = dict(zip(products, (when or "" for when in last), strict=True))
        active_bought[pk] = [product for product, on in zip(products, active, strict=True) if on]
    neighbours = sorted({other for _, other, _ in edges} - set(customer_ids))
    if neighbours:
        active_bought.update(dict(engine.run(ACTIVE_PURCHASES, {"ids": neighbours})))
    walked: list[Walked] = []
    if edges:
        walked += _bought_by_similar(customer_ids, edges, active_bought, bought, limit)
    if "complements" in walks:
        walked += _complements_of_recent(engine, customer_ids, bought, limit)
    if "popular_in_interests" in walks:
        walked += _popular_in_interests(engine, customer_ids, bought, limit)
    ids = {row[1] for row in walked}  # the products, and the purchases complements cite
    ids.update(*(row[4] for row in walked if row[3] == "complements"))
    named = _product_names(engine, ids)
    found: dict[int, list[Candidate]] = {pk: [] for pk in customer_ids}
    for pk, product, score, walk, because in walked:
        if walk == "complements":
            because = sorted({named[recent][1] for recent in because})[:3]
        found[pk].append(Candidate(product, *named[product], float(score), walk, because))
    return found


def _bought_by_similar(
    customer_ids: list[int],
    edges: list[Row],
    active_bought: dict[int, list[int]],
    bought: dict[int, dict[int, str]],
    limit: int,
) -> list[Walked]:
    """Per customer, the active products its similar customers bought and it did not, scored by
    the sum of their similarity: (customers × neighbours) @ (neighbours × products)."""
    others = np.unique([other for _, other, _ in edges])
    lists = [(pk, active_bought[pk]) for pk in others.tolist() if active_bought.get(pk)]
    if not lists:
        return []
    buyer_rows = np.searchsorted(others, [pk for pk, _ in lists]).repeat([len(found) for _, found in lists])
    products, columns = np.unique(np.concatenate([found for _, found in lists]), return_inverse=True)
    bought_by = sparse.csr_matrix(
        (np.ones(len(columns)), (buyer_rows, columns)), shape=(len(others), len(products))
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


def _popular_in_interests(
    engine: GraphEngine, customer_ids: list[int], bought: dict[int, dict[int, str]], limit: int
) -> list[Walked]:
    """Per customer, the active products of its interests' categories that it did not buy,
    scored by its strongest such interest's strength times the product's buyers; ``because``
    names those interests."""
    interests = {
        row[0]: list(zip(row[1], row[2], row[3], strict=True))
        for row in engine.run(INTERESTS, {"ids": customer_ids})
    }
    categories = sorted({category for found in interests.values() for category, _, _ in found if category})
    sellers = {
        row[0]: list(zip(row[1], row[2], strict=True)) for row in engine.run(BESTSELLERS, {"ids": categories})
    }
    walked: list[Walked] = []
    for pk in customer_ids:
        scores: dict[int, float] = {}
        because: dict[int, set[str]] = defaultdict(set)
        for category, strength, name in interests.get(pk, []):
            for product, buyers in sellers.get(category, []):
                if product not in bought[pk]:
                    scores[product] = max(scores.get(product, float("-inf")), strength * buyers)
                    because[product].add(name)
        walked += [
            (pk, product, scores[product], "popular_in_interests", sorted(because[product])[:3])
            for product in _best(scores, limit)
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


def profile_subgraph(
    engine: GraphEngine, customer_id: int, limit: int, similar: int, messages: int, campaigns: bool
) -> Subgraph:
    """The customer, its most bought products with their categories, its interests, (up to
    ``similar``) its most similar customers, and its ``messages`` latest messages with their
    intents and (``campaigns``) the campaigns they answer: nodes and edges a frontend can draw
    as they are. Nodes are named by their public keys (external id, SKU, slug, the API's message
    and campaign ids), never by other database ids."""
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
    if messages:
        message_nodes, message_edges = _latest_messages(engine, customer_id, me, messages, campaigns)
        nodes.update(message_nodes)
        edges += message_edges
    return Subgraph(nodes=list(nodes.values()), edges=edges)


def _latest_messages(
    engine: GraphEngine, customer_id: int, me: str, limit: int, campaigns: bool
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """The latest messages, named by channel and day (the graph holds no text), with their
    intents and (``campaigns``) the campaigns they answer."""
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []
    for row in engine.run(PROFILE_MESSAGES, {"id": customer_id, "limit": limit}):
        pk, channel, sent_at, language, slug, intent_name, confidence, by, campaign_id, campaign_name = row
        message = f"message:{pk}"
        nodes[message] = {"id": message, "label": "Message", "name": _message_name(channel, sent_at),
                          "channel": channel, "sent_at": sent_at, "language": language}  # fmt: skip
        edges.append(_edge(me, message, "SENT"))
        if slug is not None:
            intent = f"intent:{slug}"
            nodes[intent] = {"id": intent, "label": "Intent", "name": intent_name}
            edges.append(_edge(message, intent, "HAS_INTENT", confidence=confidence, by=by))
        if campaigns and campaign_id is not None:
            campaign = f"campaign:{campaign_id}"
            nodes[campaign] = {"id": campaign, "label": "Campaign", "name": campaign_name}
            edges.append(_edge(message, campaign, "ABOUT"))
    return nodes, edges


def _message_name(channel: str, sent_at: str) -> str:
    """``Chat, 2026-11-30``: the channel as staff read it, and the day."""
    how = Channel(channel).label if channel in Channel.values else channel
    return f"{how}, {sent_at[:10]}"


def _edge(source: str, target: str, kind: str, **properties: Any) -> dict[str, Any]:
    return {"source": source, "target": target, "type": kind, **properties}
