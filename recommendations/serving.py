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
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
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
from recommendations.cache import customer_generation
from recommendations.dataset import features_of
from recommendations.lightfm_model import TrainedRecommender
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
class Candidate:
    product_id: int
    strategy: str
    reason: str


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


def _shopper(customer_id: int) -> Shopper:
    bought: Counter[int] = Counter(
        dict(
            Purchase.objects.filter(customer_id=customer_id, kind=PurchaseKind.SALE)
            .values("product_id")
            .annotate(invoices=Count("invoice", distinct=True))
            .values_list("product_id", "invoices")
        )
    )
    rows = list(
        CustomerInterest.objects.current()
        .filter(customer_id=customer_id)
        .order_by("-confidence")
        .values_list("interest_id", "confidence", "interest__name", "interest__product_category_id", "source")
    )
    interests: list[tuple[str, int | None, bool]] = [
        (name, category, source == InterestSource.DECLARED) for _, _, name, category, source in rows
    ]
    interests.sort(key=lambda item: not item[2])
    country = Customer.objects.filter(pk=customer_id).values_list("country", flat=True).first() or ""
    return Shopper(
        customer_id=customer_id,
        bought=bought,
        has_events=InteractionEvent.objects.filter(customer_id=customer_id).exists(),
        interests=interests,
        features=features_of(country, ((interest_id, confidence) for interest_id, confidence, *_ in rows)),
    )


def recommendations_for(
    customer_id: int, *, limit: int = 10, category_ids: list[int] | None = None, strategy: str = "blended"
) -> Recommendations:
    """Cached per customer; a new purchase (``recommendations_invalidate``) or a new model
    version makes a fresh answer."""
    active = active_recommender()
    version = active[0] if active else None
    generation = customer_generation(customer_id)
    categories = ",".join(map(str, category_ids or []))
    key = f"recs:{version}:{customer_id}:{generation}:{limit}:{strategy}:{categories}"
    cached: Recommendations | None = cache.get(key)
    if cached is not None:
        return cached
    result = _recommend(
        _shopper(customer_id), active, limit=limit, category_ids=category_ids, strategy=strategy
    )
    cache.set(key, result, settings.RECOMMENDATIONS_CACHE_SECONDS)
    return result


def _recommend(
    shopper: Shopper,
    active: tuple[int, TrainedRecommender] | None,
    *,
    limit: int,
    category_ids: list[int] | None,
    strategy: str,
) -> Recommendations:
    result = Recommendations(mode="blended", model_version=active[0] if active else None)
    sources: dict[str, list[Candidate]] = {}
    if strategy == "blended":
        sources["repeat"] = _regulars(shopper)
    if strategy in ("blended", "model"):
        if active is None:
            result.degraded.append("no_model")
        else:
            sources["model"] = _from_model(shopper, *active)
    if strategy in ("blended", "graph") and not shopper.new:
        try:
            sources["graph"] = _from_graph(shopper)
        except GraphUnavailable:
            logger.warning("Graph unavailable; recommending without it", exc_info=True)
            result.degraded.append("graph_unavailable")
    if strategy in ("blended", "popular") or not any(sources.values()):
        sources["declared"], sources["interests"] = _popular_in_interests(shopper)
        sources["popular"] = _popular(shopper)
    result.mode = _mode(shopper, result.degraded, strategy)
    result.items = _apply_rules(shopper, _blend(sources, shopper), limit=limit, category_ids=category_ids)
    return result


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


def _from_model(shopper: Shopper, version: int, trained: TrainedRecommender) -> list[Candidate]:
    scores = trained.score(shopper.customer_id, shopper.features)
    if scores is None:
        return []
    order = np.argsort(-scores)[: POOL * 2]
    explain = _Explainer(shopper, trained)
    found = [Candidate(trained.product_ids[i], "model", explain(int(i))) for i in order]
    new_products = products_unknown_to(trained, version)
    fresh = trained.score_new_products(shopper.customer_id, shopper.features, new_products)
    if fresh is not None:
        cutoff = float(scores[order[min(len(order), POOL) - 1]]) if len(order) else -np.inf
        found += [
            Candidate(pk, "model", "New in the catalogue, and close to what you like")
            for pk, score in zip(new_products, fresh, strict=True)
            if score >= cutoff
        ]
    return found


class _Explainer:
    """Names the bought product nearest to a recommended one in the model's item space."""

    def __init__(self, shopper: Shopper, trained: TrainedRecommender) -> None:
        self.shopper = shopper
        index = trained.items.entities
        self.bought = [pk for pk in shopper.bought if pk in index]
        self.vectors = trained.item_embeddings if self.bought else None
        self.rows = np.array([index[pk] for pk in self.bought], dtype=np.int64)
        self.names = dict(Product.objects.filter(pk__in=self.bought).values_list("pk", "name"))

    def __call__(self, item_row: int) -> str:
        if self.vectors is None:
            if self.shopper.interests:
                return f"Picked for your interest in {self.shopper.interests[0][0]}"
            return "Popular with customers like you"
        nearest = self.bought[int(np.argmax(self.vectors[self.rows] @ self.vectors[item_row]))]
        return f"Because you bought {self.names[nearest]}"


GRAPH_REASONS = {
    "similar_customers": lambda because: "Bought by customers with tastes like yours",
    "complements": lambda because: f"Often bought together with {because[0]}",
    "popular_in_interests": lambda because: f"Popular with customers who love {because[0]}",
}


def _from_graph(shopper: Shopper) -> list[Candidate]:
    # popularity within interests comes from the database (its own source), not from a third walk
    walks = ("similar_customers", "complements")
    candidates = get_graph().recommendation_candidates(shopper.customer_id, limit=POOL // 2, walks=walks)
    return [
        Candidate(
            c.product_id, f"graph:{c.strategy}", GRAPH_REASONS[c.strategy](c.because or ["your purchases"])
        )
        for c in sorted(candidates, key=lambda c: -c.score)
    ]


def _regulars(shopper: Shopper) -> list[Candidate]:
    """What the customer keeps buying, most invoices first: only re-purchase kinds pass the rules."""
    again = shopper.buys_again(repurchase_products())
    ranked = sorted(again, key=lambda pk: (-shopper.bought[pk], pk))
    return [Candidate(pk, "repeat", "") for pk in ranked[:POOL]]


def _popular_in_interests(shopper: Shopper) -> tuple[list[Candidate], list[Candidate]]:
    """The bestsellers of the customer's three strongest interests: those of declared ones,
    then those of the others."""
    popularity = product_popularity()
    top = [(name, category, declared) for name, category, declared in shopper.interests if category][:3]
    in_categories: dict[int, list[int]] = defaultdict(list)
    for pk, category in Product.objects.filter(
        category_id__in=[c for _, c, _ in top], active=True
    ).values_list("pk", "category_id"):
        in_categories[category].append(pk)
    found: dict[bool, list[Candidate]] = {True: [], False: []}
    for name, category, declared in top:
        ranked = sorted(in_categories[category], key=lambda pk: (-popularity.get(pk, 0), pk))[: POOL // 3]
        found[declared] += [
            Candidate(pk, "popular_in_interests", f"Popular with customers who love {name}") for pk in ranked
        ]
    return found[True], found[False]


def _popular(shopper: Shopper) -> list[Candidate]:
    popularity = product_popularity()
    ranked = sorted(popularity, key=lambda pk: (-popularity[pk], pk))[:POOL]
    return [Candidate(pk, "popular", "One of our bestsellers right now") for pk in ranked]


def _blend(sources: dict[str, list[Candidate]], shopper: Shopper) -> list[tuple[float, Candidate]]:
    """Rank fusion. Without a model the graph's walks, the other collaborative signal, take its
    weight: at their own they would rank below the whole bestseller list."""
    weights = WEIGHTS if "model" in sources else {**WEIGHTS, "graph": WEIGHTS["model"]}
    scores: dict[int, float] = defaultdict(float)
    best: dict[int, tuple[float, Candidate]] = {}
    for source, candidates in sources.items():
        for rank, candidate in enumerate(_first_of_each(candidates)):
            contribution = weights[source] / (RANK_OFFSET + rank)
            scores[candidate.product_id] += contribution
            if candidate.product_id not in best or contribution > best[candidate.product_id][0]:
                best[candidate.product_id] = (contribution, candidate)
    declared = {category for _, category, is_declared in shopper.interests if is_declared and category}
    if declared:
        boosted = set(
            Product.objects.filter(pk__in=list(scores), category_id__in=declared).values_list("pk", flat=True)
        )
        for pk in boosted:
            scores[pk] *= DECLARED_BOOST
    return sorted(
        ((score, best[pk][1]) for pk, score in scores.items()),
        key=lambda item: (-item[0], item[1].product_id),
    )


def _first_of_each(candidates: list[Candidate]) -> list[Candidate]:
    seen: set[int] = set()
    unique = []
    for candidate in candidates:
        if candidate.product_id not in seen:
            seen.add(candidate.product_id)
            unique.append(candidate)
    return unique


def _apply_rules(
    shopper: Shopper, ranked: list[tuple[float, Candidate]], *, limit: int, category_ids: list[int] | None
) -> list[Recommendation]:
    """Active products only; nothing already bought unless it is a re-purchase kind; at most
    ``RECOMMENDATIONS_MAX_PER_CATEGORY`` per category; within ``category_ids`` when given."""
    products = {
        row[0]: row
        for row in Product.objects.filter(pk__in=[c.product_id for _, c in ranked], active=True).values_list(
            "pk", "sku", "name", "category_id", "category__slug"
        )
    }
    again = shopper.buys_again(repurchase_products())
    per_category: Counter[int | None] = Counter()
    chosen: list[Recommendation] = []
    for score, candidate in ranked:
        product = products.get(candidate.product_id)
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
        reason = candidate.reason
        if pk in again:
            times = shopper.bought[pk]
            reason = f"Time to stock up: you have bought it {'before' if times == 1 else f'{times} times'}"
        chosen.append(Recommendation(pk, sku, name, slug, round(score * 1000, 4), candidate.strategy, reason))
        if len(chosen) == limit:
            break
    return chosen
