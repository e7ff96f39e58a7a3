"""The named graph queries. Fixed Cypher text, parameters only: no query is built from input.

Each returns plain dataclasses, so callers (recommendations, API, admin) never
see which database answered.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph.engine import GraphEngine

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
# The walks return ids only; the names of what a batch of walks found are read once
# (``PRODUCT_NAMES``): reading them in each aggregation cost a third of its time.
FROM_SIMILAR_CUSTOMERS = """
MATCH (a:Customer {id: $id})-[s:SIMILAR_TO]->(b:Customer)-[:PURCHASED]->(p:Product)
WHERE p.active AND NOT EXISTS { MATCH (a)-[:PURCHASED]->(p) }
RETURN p.id, sum(s.score) AS score, count(b) AS customers
ORDER BY score DESC, p.id LIMIT $limit
"""
# Complements of recent purchases, in two queries: one ``WITH … ORDER BY … LIMIT`` feeding the
# expansion ran 3 to 4 times slower on the embedded engine (and broke ties among equally recent
# purchases in its own way).
RECENT_PURCHASES = """
MATCH (a:Customer {id: $id})-[r:PURCHASED]->(recent:Product)
RETURN recent.id ORDER BY r.last_purchase DESC, recent.id LIMIT $recent
"""
COMPLEMENTS_OF_PRODUCTS = """
MATCH (a:Customer {id: $id}), (recent:Product)-[c:COMPLEMENTS]->(p:Product)
WHERE recent.id IN $products AND p.active AND NOT EXISTS { MATCH (a)-[:PURCHASED]->(p) }
RETURN p.id, sum(c.lift) AS score, collect(recent.id) AS because
ORDER BY score DESC, p.id LIMIT $limit
"""
PRODUCT_NAMES = "MATCH (p:Product) WHERE p.id IN $ids RETURN p.id, p.sku, p.name"
POPULAR_IN_INTERESTS = """
MATCH (a:Customer {id: $id})-[i:INTERESTED_IN]->(t:Interest)
MATCH (p:Product)-[:BELONGS_TO]->(c:Category)
WHERE c.id = t.category_id AND p.active AND NOT EXISTS { MATCH (a)-[:PURCHASED]->(p) }
MATCH (buyer:Customer)-[:PURCHASED]->(p)
WITH p, t, i.strength AS strength, count(buyer) AS buyers
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


def recommendation_candidates(
    engine: GraphEngine, customer_ids: list[int], limit: int, walks: tuple[str, ...] = WALKS
) -> dict[int, list[Candidate]]:
    """Candidates per customer from up to three walks: what similar customers bought, complements
    of recent purchases, and what sells best within the customer's interests. Best first per
    walk. Each walk runs for every customer at once (``run_each``)."""
    customer_ids = list(dict.fromkeys(customer_ids))
    params = [{"id": pk, "limit": limit, "recent": 10} for pk in customer_ids]
    # (customer, product, score, walk, because: product ids, or words for the interests walk)
    walked: list[tuple[int, int, float, str, list[Any]]] = []
    if "similar_customers" in walks:
        for pk, rows in zip(customer_ids, engine.run_each(FROM_SIMILAR_CUSTOMERS, params), strict=True):
            walked += [
                (pk, row[0], row[1], "similar_customers", [f"{row[2]} similar customers"]) for row in rows
            ]
    if "complements" in walks:
        recent = engine.run_each(RECENT_PURCHASES, params)
        of_recent = [
            {**p, "products": [row[0] for row in rows]} for p, rows in zip(params, recent, strict=True)
        ]
        for pk, rows in zip(customer_ids, engine.run_each(COMPLEMENTS_OF_PRODUCTS, of_recent), strict=True):
            walked += [(pk, row[0], row[1], "complements", row[2]) for row in rows]
    named: dict[int, tuple[str, str]] = {}
    if walked:
        ids = {product for _, product, *_ in walked} | {
            product for *_, walk, because in walked if walk == "complements" for product in because
        }
        named = {row[0]: (row[1], row[2]) for row in engine.run(PRODUCT_NAMES, {"ids": sorted(ids)})}
    found: dict[int, list[Candidate]] = {pk: [] for pk in customer_ids}
    for pk, product, score, walk, because in walked:
        if walk == "complements":
            because = sorted({named[recent][1] for recent in because})[:3]
        found[pk].append(Candidate(product, *named[product], float(score), walk, because))
    if "popular_in_interests" in walks:
        for pk, rows in zip(customer_ids, engine.run_each(POPULAR_IN_INTERESTS, params), strict=True):
            found[pk] += [
                Candidate(
                    row[0], row[1], row[2], float(row[3]), "popular_in_interests", sorted(set(row[4]))[:3]
                )
                for row in rows
            ]
    return found


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
