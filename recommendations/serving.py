"""Recommendations as served: candidates from the model, the graph and popularity, blended,
filtered by the business rules, each with a reason written from the data.

Blending is weighted reciprocal-rank fusion: an item's score is
``Σ weight(source) / (60 + rank in that source)``; its reason and strategy are
those of the source that contributed most. Declared interests are a source of
their own (the bestsellers of their categories) and lift every other item of
their categories by 25 %.

Degraded modes say so in the result: ``no_model`` (graph + popularity),
``no_graph`` (model + popularity), ``new_customer`` (no history: features,
popularity within the declared interests, then global), ``popular`` (neither).
Computed while the cache is down, a result lists ``cache_unavailable`` in ``degraded``.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count

from catalog.models import Product
from customers.models import (
    Customer,
    CustomerInterest,
    InteractionEvent,
    InterestSource,
    Purchase,
    PurchaseKind,
)
from graph.engine import GraphUnavailable
from graph.port import get_graph
from marketing_platform.cache import cache_unavailable
from recommendations.cache import customer_generations
from recommendations.dataset import features_of
from recommendations.lightfm_model import TrainedRecommender
from recommendations.models import ModelVersion
from recommendations.selectors import (
    active_recommender,
    product_popularity,
    products_unknown_to,
    repurchase_products,
)

logger = logging.getLogger(__name__)
STRATEGIES = ("blended", "model", "graph", "popular")
# Chosen on the validation weeks before the evaluation's test weeks (README, "Recommendations"),
# except "declared": interests the customer told us of, absent from the data, rank like regulars.
WEIGHTS = {"repeat": 3.0, "model": 1.0, "graph": 0.35, "interests": 0.25, "popular": 2.0, "declared": 3.0}
RANK_OFFSET = 60
DECLARED_BOOST = 1.25
POOL = 100
TO_EXPLAIN = ""  # a model candidate's reason until it is chosen (``_explain``)
# Graph walks run on threads of their own while the database is read (the graph engine
# releases the GIL); a few, so concurrent requests do not queue behind one another.
_walker = ThreadPoolExecutor(4, thread_name_prefix="graph-walks")


@dataclass(frozen=True)
class Recommendation:
    product_id: int
    sku: str
    name: str
    category: str | None
    score: float
    strategy: str
    reason: str


@dataclass
class Recommendations:
    mode: str
    model_version: int | None
    degraded: list[str] = field(default_factory=list)
    items: list[Recommendation] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Candidates:
    """One source's products, best first (a repeated one counts at its first place), each with
    its strategy and reason: lists side by side, as a customer gets a few hundred."""

    product_ids: list[int]
    strategies: list[str]
    reasons: list[str]

    @classmethod
    def of(cls, product_ids: list[int], strategy: str, reason: str) -> Candidates:
        return cls(product_ids, [strategy] * len(product_ids), [reason] * len(product_ids))

    def __add__(self, other: Candidates) -> Candidates:
        return Candidates(
            self.product_ids + other.product_ids,
            self.strategies + other.strategies,
            self.reasons + other.reasons,
        )

    def __len__(self) -> int:
        return len(self.product_ids)


NO_CANDIDATES = Candidates([], [], [])


@dataclass
class Shopper:
    """What is known of the customer: bought products (with invoice counts), events, interests."""

    customer_id: int
    bought: Counter[int]
    has_events: bool
    interests: list[
        tuple[str, int | None, bool]
    ]  # (interest name, its category id, declared), declared first
    features: dict[str, float]

    @property
    def new(self) -> bool:
        return not self.bought and not self.has_events

    def buys_again(self, repurchase_kinds: set[int]) -> set[int]:
        """Bought products that may be offered again: a re-purchase kind (``repurchase_products``), or one
        this customer has already bought on more than one order."""
        return {pk for pk, orders in self.bought.items() if orders > 1 or pk in repurchase_kinds}


def recommendations_for(
    customer_id: int, *, limit: int = 10, category_ids: list[int] | None = None, strategy: str = "blended"
) -> Recommendations:
    """One customer's recommendations (``recommendations_for_many``)."""
    return recommendations_for_many([customer_id], limit=limit, category_ids=category_ids, strategy=strategy)[
        customer_id
    ]


def recommendations_for_many(
    customer_ids: Sequence[int],
    *,
    limit: int = 10,
    category_ids: list[int] | None = None,
    strategy: str = "blended",
) -> dict[int, Recommendations]:
    """Cached per customer; a new purchase (``recommendations_invalidate``) or a new model
    version makes a fresh answer. Those not cached are computed together (a campaign's render
    batch): one query per table, one matrix product, the graph walks side by side."""
    ids = list(dict.fromkeys(customer_ids))
    active = active_recommender()
    categories = ",".join(map(str, category_ids or []))
    keys = {
        pk: f"recs:{state}:{limit}:{strategy}:{categories}"
        for pk, state in _states(ids, active[0] if active else None).items()
    }
    cached = cache.get_many(list(keys.values()))
    found: dict[int, Recommendations] = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        walks = _walker.submit(_from_graph, missing) if strategy in ("blended", "graph") else None
        fresh = _recommend(
            _shoppers(missing), active, walks, limit=limit, category_ids=category_ids, strategy=strategy
        )
        cache.set_many(
            {keys[pk]: result for pk, result in fresh.items()}, settings.RECOMMENDATIONS_CACHE_SECONDS
        )
        if cache_unavailable():  # after set_many: what is cached must not carry it
            for result in fresh.values():
                result.degraded.append("cache_unavailable")
        found.update(fresh)
    return found


def recommendations_states(customer_ids: Sequence[int]) -> dict[int, str]:
    """Per customer, a token that changes whenever its recommendations may: a new purchase or a
    new model version. What was made from recommendations (a vision board) keeps it to tell
    when it is stale."""
    version = ModelVersion.objects.filter(active=True).values_list("pk", flat=True).first()
    return _states(customer_ids, version)


def _states(customer_ids: Sequence[int], version: int | None) -> dict[int, str]:
    generations = customer_generations(customer_ids)
    return {pk: f"{version}:{pk}:{generation}" for pk, generation in generations.items()}


def _shoppers(customer_ids: list[int]) -> list[Shopper]:
    bought: dict[int, Counter[int]] = defaultdict(Counter)
    for customer_id, product_id, invoices in (
        Purchase.objects.filter(customer_id__in=customer_ids, kind=PurchaseKind.SALE)
        .values("customer_id", "product_id")
        .annotate(invoices=Count("invoice", distinct=True))
        .values_list("customer_id", "product_id", "invoices")
    ):
        bought[customer_id][product_id] = invoices
    interests: dict[int, list[tuple[int, float, str, int | None, str]]] = defaultdict(list)
    for customer_id, *interest in (
        CustomerInterest.objects.current()
        .filter(customer_id__in=customer_ids)
        .order_by("-confidence", "interest_id")
        .values_list(
            "customer_id",
            "interest_id",
            "confidence",
            "interest__name",
            "interest__product_category_id",
            "source",
        )
    ):
        interests[customer_id].append(tuple(interest))  # type: ignore[arg-type]
    countries = dict(Customer.objects.filter(pk__in=customer_ids).values_list("pk", "country"))
    with_events = set(
        InteractionEvent.objects.filter(customer_id__in=customer_ids)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    shoppers = []
    for pk in customer_ids:
        rows = interests[pk]
        named = [(name, category, source == InterestSource.DECLARED) for _, _, name, category, source in rows]
        shoppers.append(
            Shopper(
                customer_id=pk,
                bought=bought[pk],
                has_events=pk in with_events,
                interests=sorted(named, key=lambda item: not item[2]),
                features=features_of(
                    countries.get(pk) or "", ((interest, confidence) for interest, confidence, *_ in rows)
                ),
            )
        )
    return shoppers


def _recommend(
    shoppers: list[Shopper],
    active: tuple[int, TrainedRecommender] | None,
    walks: Future[dict[int, Candidates]] | None,
    *,
    limit: int,
    category_ids: list[int] | None,
    strategy: str,
) -> dict[int, Recommendations]:
    """Everything that reads the database is done while the graph ``walks`` run, then waited for."""
    results = {
        s.customer_id: Recommendations(mode="blended", model_version=active[0] if active else None)
        for s in shoppers
    }
    popularity, repurchase_kinds = product_popularity(), repurchase_products()
    from_model: dict[int, Candidates] | None = None
    if strategy in ("blended", "model"):
        if active is None:
            for result in results.values():
                result.degraded.append("no_model")
        else:
            from_model = _from_model(shoppers, *active)
    bestsellers = _bestsellers_by_category({c for s in shoppers for _, c, _ in _top_interests(s)}, popularity)
    popular = _popular(popularity)
    from_graph = _walked(walks, [shopper for shopper in shoppers if not shopper.new], results)
    sources: dict[int, dict[str, Candidates]] = {}
    for shopper in shoppers:
        found = sources[shopper.customer_id] = {}
        if strategy == "blended":
            found["repeat"] = _regulars(shopper, repurchase_kinds)
        if from_model is not None:
            found["model"] = from_model.get(shopper.customer_id, NO_CANDIDATES)
        if shopper.customer_id in from_graph:
            found["graph"] = from_graph[shopper.customer_id]
        if strategy in ("blended", "popular") or not any(found.values()):
            found["declared"], found["interests"] = _popular_in_interests(shopper, bestsellers)
            found["popular"] = popular
    products = _active_products(
        set().union(*(candidates.product_ids for found in sources.values() for candidates in found.values()))
    )
    for shopper in shoppers:
        result = results[shopper.customer_id]
        result.mode = _mode(shopper, result.degraded, strategy)
        ranked = _blend(sources[shopper.customer_id], shopper, products)
        result.items = _apply_rules(
            shopper, ranked, products, repurchase_kinds, limit=limit, category_ids=category_ids
        )
    if from_model is not None and active is not None:
        _explain(active[1], shoppers, results)
    return results


def _walked(
    walks: Future[dict[int, Candidates]] | None,
    known: list[Shopper],
    results: dict[int, Recommendations],
) -> dict[int, Candidates]:
    """The graph's candidates for customers with a history (a new one's walks say nothing yet)."""
    if walks is None or not known:
        return {}
    try:
        found = walks.result()
    except GraphUnavailable:
        logger.warning("Graph unavailable; recommending without it", exc_info=True)
        for shopper in known:
            results[shopper.customer_id].degraded.append("graph_unavailable")
        return {}
    return {shopper.customer_id: found[shopper.customer_id] for shopper in known}


def _mode(shopper: Shopper, degraded: list[str], strategy: str) -> str:
    if shopper.new:
        return "new_customer"
    if "no_model" in degraded and "graph_unavailable" in degraded:
        return "popular"
    if "no_model" in degraded:
        return "no_model"
    if "graph_unavailable" in degraded:
        return "no_graph"
    return strategy


def _from_model(shoppers: list[Shopper], version: int, trained: TrainedRecommender) -> dict[int, Candidates]:
    """The model's best products per shopper. Their reasons are written later, for the few
    the blend keeps (``_explain``)."""
    features = {shopper.customer_id: shopper.features for shopper in shoppers}
    scored = trained.score(features)
    if not scored:
        return {}
    new_products = products_unknown_to(trained, version)
    fresh = trained.score_new_products({pk: features[pk] for pk in scored}, new_products)
    product_ids = np.asarray(trained.product_ids)
    found: dict[int, Candidates] = {}
    for shopper in shoppers:
        scores = scored.get(shopper.customer_id)
        if scores is None:
            continue
        order = _best_first(scores, POOL * 2)
        candidates = Candidates.of(product_ids[order].tolist(), "model", TO_EXPLAIN)
        if shopper.customer_id in fresh:
            cutoff = float(scores[order[min(len(order), POOL) - 1]]) if len(order) else -np.inf
            close = [
                pk
                for pk, score in zip(new_products, fresh[shopper.customer_id], strict=True)
                if score >= cutoff
            ]
            candidates += Candidates.of(close, "model", "New in the catalogue, and close to what you like")
        found[shopper.customer_id] = candidates
    return found


def _best_first(scores: np.ndarray, count: int) -> np.ndarray:
    """The rows of the ``count`` highest scores, highest first (a partition, then a sort of those)."""
    if len(scores) > count:
        top = np.argpartition(-scores, count - 1)[:count]
        return top[np.lexsort((top, -scores[top]))]
    return np.argsort(-scores, kind="stable")


def _explain(
    trained: TrainedRecommender, shoppers: list[Shopper], results: dict[int, Recommendations]
) -> None:
    """Write the reason of each item the model chose: the bought product nearest to it in the
    model's item space. Only the items kept are explained; their names are read once."""
    index, vectors = trained.items.entities, trained.item_embeddings
    because: list[tuple[list[Recommendation], int, int | str]] = []  # (items, which, bought pk or reason)
    for shopper in shoppers:
        items = results[shopper.customer_id].items
        chosen = [i for i, item in enumerate(items) if item.strategy == "model" and item.reason == TO_EXPLAIN]
        if not chosen:
            continue
        bought = [pk for pk in shopper.bought if pk in index]
        if not bought:
            interest = shopper.interests[0][0] if shopper.interests else ""
            reason = (
                f"Picked for your interest in {interest}" if interest else "Popular with customers like you"
            )
            because += [(items, i, reason) for i in chosen]
            continue
        rows = np.array([index[pk] for pk in bought], dtype=np.int64)
        item_rows = np.array([index[items[i].product_id] for i in chosen], dtype=np.int64)
        nearest = np.argmax(vectors[rows] @ vectors[item_rows].T, axis=0)
        because += [(items, i, bought[n]) for i, n in zip(chosen, nearest.tolist(), strict=True)]
    named = {why for *_, why in because if isinstance(why, int)}
    names = dict(Product.objects.filter(pk__in=named).values_list("pk", "name")) if named else {}
    for items, i, why in because:
        reason = why if isinstance(why, str) else f"Because you bought {names[why]}"
        items[i] = replace(items[i], reason=reason)


GRAPH_REASONS = {
    "similar_customers": lambda because: "Bought by customers with tastes like yours",
    "complements": lambda because: f"Often bought together with {because[0]}",
    "popular_in_interests": lambda because: f"Popular with customers who love {because[0]}",
}


def _from_graph(customer_ids: list[int]) -> dict[int, Candidates]:
    # popularity within interests comes from the database (its own source), not from a third walk
    walks = ("similar_customers", "complements")
    found = get_graph().recommendation_candidates_many(customer_ids, limit=POOL // 2, walks=walks)
    walked = {}
    for pk, candidates in found.items():
        ranked = sorted(candidates, key=lambda c: -c.score)
        walked[pk] = Candidates(
            [c.product_id for c in ranked],
            [f"graph:{c.strategy}" for c in ranked],
            [GRAPH_REASONS[c.strategy](c.because or ["your purchases"]) for c in ranked],
        )
    return walked


def _regulars(shopper: Shopper, repurchase_kinds: set[int]) -> Candidates:
    """What the customer keeps buying, most invoices first: only re-purchase kinds pass the rules."""
    again = shopper.buys_again(repurchase_kinds)
    ranked = sorted(again, key=lambda pk: (-shopper.bought[pk], pk))
    return Candidates.of(ranked[:POOL], "repeat", "")


def _top_interests(shopper: Shopper) -> list[tuple[str, int, bool]]:
    """The customer's three strongest interests that name a category, declared ones first."""
    return [(name, category, declared) for name, category, declared in shopper.interests if category][:3]


def _bestsellers_by_category(category_ids: set[int], popularity: dict[int, int]) -> dict[int, list[int]]:
    members: dict[int, list[int]] = defaultdict(list)
    for pk, category in Product.objects.filter(category_id__in=category_ids, active=True).values_list(
        "pk", "category_id"
    ):
        members[category].append(pk)
    return {
        category: sorted(pks, key=lambda pk: (-popularity.get(pk, 0), pk))[: POOL // 3]
        for category, pks in members.items()
    }


def _popular_in_interests(
    shopper: Shopper, bestsellers: dict[int, list[int]]
) -> tuple[Candidates, Candidates]:
    """The bestsellers of the customer's three strongest interests: those of declared ones,
    then those of the others."""
    found = {True: NO_CANDIDATES, False: NO_CANDIDATES}
    for name, category, declared in _top_interests(shopper):
        found[declared] += Candidates.of(
            bestsellers.get(category, []), "popular_in_interests", f"Popular with customers who love {name}"
        )
    return found[True], found[False]


def _popular(popularity: dict[int, int]) -> Candidates:
    ranked = sorted(popularity, key=lambda pk: (-popularity[pk], pk))[:POOL]
    return Candidates.of(ranked, "popular", "One of our bestsellers right now")


ProductRow = tuple[int, str, str, int | None, str | None]  # pk, sku, name, category id, category slug


def _active_products(product_ids: set[int]) -> dict[int, ProductRow]:
    return {
        row[0]: row
        for row in Product.objects.filter(pk__in=product_ids, active=True).values_list(
            "pk", "sku", "name", "category_id", "category__slug"
        )
    }


# (score, product id, the candidates whose source contributed most, the product's place in them)
Ranked = list[tuple[float, int, Candidates, int]]


def _blend(sources: dict[str, Candidates], shopper: Shopper, products: dict[int, ProductRow]) -> Ranked:
    """Rank fusion. Without a model the graph's walks, the other collaborative signal, take its
    weight: at their own they would rank below the whole bestseller list."""
    weights = WEIGHTS if "model" in sources else {**WEIGHTS, "graph": WEIGHTS["model"]}
    scores: dict[int, float] = defaultdict(float)
    best: dict[int, tuple[float, Candidates, int]] = {}
    for source, candidates in sources.items():
        ids = candidates.product_ids
        first = dict(zip(reversed(ids), range(len(ids) - 1, -1, -1), strict=True))  # each one's first place
        weight = weights[source]
        for rank, pk in enumerate(dict.fromkeys(ids)):
            contribution = weight / (RANK_OFFSET + rank)
            scores[pk] += contribution
            if pk not in best or contribution > best[pk][0]:
                best[pk] = (contribution, candidates, first[pk])
    declared = {category for _, category, is_declared in shopper.interests if is_declared and category}
    if declared:  # inactive products, absent from ``products``, are left out by the rules anyway
        for pk in scores:
            if pk in products and products[pk][3] in declared:
                scores[pk] *= DECLARED_BOOST
    return sorted(
        ((score, pk, *best[pk][1:]) for pk, score in scores.items()),
        key=lambda item: (-item[0], item[1]),
    )


def _apply_rules(
    shopper: Shopper,
    ranked: Ranked,
    products: dict[int, ProductRow],
    repurchase_kinds: set[int],
    *,
    limit: int,
    category_ids: list[int] | None,
) -> list[Recommendation]:
    """Active products only; nothing already bought unless it is a re-purchase kind; at most
    ``RECOMMENDATIONS_MAX_PER_CATEGORY`` per category; within ``category_ids`` when given."""
    again = shopper.buys_again(repurchase_kinds)
    per_category: Counter[int | None] = Counter()
    chosen: list[Recommendation] = []
    for score, product_id, candidates, place in ranked:
        product = products.get(product_id)
        if product is None:
            continue
        pk, sku, name, category_id, slug = product
        if pk in shopper.bought and pk not in again:
            continue
        if category_ids is not None and category_id not in category_ids:
            continue
        if per_category[category_id] >= settings.RECOMMENDATIONS_MAX_PER_CATEGORY:
            continue
        per_category[category_id] += 1
        strategy, reason = candidates.strategies[place], candidates.reasons[place]
        if pk in again:
            times = shopper.bought[pk]
            reason = f"Time to stock up: you have bought it {'before' if times == 1 else f'{times} times'}"
        chosen.append(Recommendation(pk, sku, name, slug, round(score * 1000, 4), strategy, reason))
        if len(chosen) == limit:
            break
    return chosen
