"""Recommendations as served: candidates from the model, the graph, customers like this one,
content similarity and popularity, blended and filtered by the active model version's blend
(``blending.py``), each with a reason written from the data.

Degraded modes say so in the result: ``no_model`` (the other sources),
``no_graph`` (the other sources), ``new_customer`` (no history: features,
popularity within the declared interests, then global), ``popular`` (neither).
Computed while the cache is down, a result lists ``cache_unavailable`` in ``degraded``.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache

from catalog.models import Product
from graph.engine import GraphUnavailable
from graph.port import get_graph
from marketing_platform.cache import cache_unavailable
from recommendations.asked import asked_candidates
from recommendations.blending import (
    NO_CANDIDATES,
    POOL,
    Candidates,
    Shopper,
    bestsellers_by_category,
    default_blend,
    popular,
    popular_in_interests,
    real_category,
    recommend,
    repurchase_kinds,
    trending,
)
from recommendations.cache import customer_generations, market_generation
from recommendations.companions import companion_candidates
from recommendations.content import content_candidates, content_index
from recommendations.lightfm_model import TrainedRecommender
from recommendations.market import Market
from recommendations.models import ModelVersion
from recommendations.neighbours import neighbour_candidates
from recommendations.selectors import (
    ActiveModel,
    active_recommender,
    live_market,
    products_unknown_to,
    serving_blend,
    shoppers,
)

logger = logging.getLogger(__name__)
STRATEGIES = ("blended", "model", "graph", "popular")
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
    """Cached per customer; a new purchase (``recommendations_invalidate``), an import
    (``market_invalidate``) or a new model version makes a fresh answer. Those not cached are
    computed together (a campaign's render batch): one query per table, one matrix product,
    the graph walks side by side."""
    ids = list(dict.fromkeys(customer_ids))
    active = active_recommender()
    keys = _answer_keys(ids, active, limit=limit, category_ids=category_ids, strategy=strategy)
    cached = cache.get_many(list(keys.values()))
    found: dict[int, Recommendations] = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        weights = serving_blend(active).weights  # a source the blend does not weigh is not asked
        walked = strategy == "graph" or (strategy == "blended" and (weights["graph"] or active is None))
        walks = _walker.submit(graph_candidates, missing) if walked else None
        fresh = _recommend(
            shoppers(missing), active, walks, limit=limit, category_ids=category_ids, strategy=strategy
        )
        cache.set_many(
            {keys[pk]: result for pk, result in fresh.items()}, settings.RECOMMENDATIONS_CACHE_SECONDS
        )
        if cache_unavailable():  # after set_many: what is cached must not carry it
            for result in fresh.values():
                result.degraded.append("cache_unavailable")
        found.update(fresh)
    return found


def recommendations_tag(
    customer_id: int, *, limit: int = 10, category_ids: list[int] | None = None, strategy: str = "blended"
) -> str | None:
    """A validator of this customer's answer (an HTTP ETag): it changes whenever the cached
    answer may (a purchase, an import, a new model) and at least once a cache lifetime, so an
    answer confirmed unchanged is never older than a cached one. None while the cache is down:
    without the generations nothing can be confirmed."""
    key = _answer_keys([customer_id], active_recommender(), limit=limit, category_ids=category_ids,
                       strategy=strategy)[customer_id]  # fmt: skip
    if cache_unavailable():
        return None
    return f"{key}:{int(time.time() // settings.RECOMMENDATIONS_CACHE_SECONDS)}"


def _answer_keys(
    customer_ids: Sequence[int],
    active: ActiveModel | None,
    *,
    limit: int,
    category_ids: list[int] | None,
    strategy: str,
) -> dict[int, str]:
    """Each customer's cache key: its state (model version and generation), the shop's, the question."""
    categories = ",".join(map(str, category_ids or []))
    market = market_generation()
    return {
        pk: f"recs:{state}:{market}:{limit}:{strategy}:{categories}"
        for pk, state in _states(customer_ids, active.version if active else None).items()
    }


def recommendations_states(customer_ids: Sequence[int]) -> dict[int, str]:
    """Per customer, a token that changes whenever its recommendations may: a new purchase or a
    new model version. What was made from recommendations (a vision board) keeps it to tell
    when it is stale."""
    version = ModelVersion.objects.filter(active=True).values_list("pk", flat=True).first()
    return _states(customer_ids, version)


def _states(customer_ids: Sequence[int], version: int | None) -> dict[int, str]:
    generations = customer_generations(customer_ids)
    return {pk: f"{version}:{pk}:{generation}" for pk, generation in generations.items()}


def _recommend(
    found: list[Shopper],
    active: ActiveModel | None,
    walks: Future[dict[int, Candidates]] | None,
    *,
    limit: int,
    category_ids: list[int] | None,
    strategy: str,
) -> dict[int, Recommendations]:
    """Everything that reads the database is done while the graph ``walks`` run, then waited for."""
    results = {
        s.customer_id: Recommendations(mode="blended", model_version=active.version if active else None)
        for s in found
    }
    blend = serving_blend(active)
    if strategy != "blended":  # one strategy asked for: its sources alone, whatever the blend weighs them
        blend = replace(blend, weights=default_blend().weights, discovery=False)
    market = live_market(blend)
    from_model: dict[int, Candidates] | None = None
    if strategy in ("blended", "model"):
        if active is None:
            for result in results.values():
                result.degraded.append("no_model")
        else:
            from_model = model_candidates(
                found, active.trained, products_unknown_to(active.trained, active.version)
            )
    interests = {category for shopper in found for _, category, _ in shopper.top_interests}
    blended = strategy == "blended"
    index = content_index()
    from_content = content_candidates(found, index) if blended and blend.weights["content"] else {}
    from_asked = (
        asked_candidates(found, index, market.neighbours) if blended and blend.weights["asked"] else {}
    )
    from_neighbours = (
        neighbour_candidates(found, market.neighbours) if blended and blend.weights["neighbours"] else {}
    )
    from_companions = (
        companion_candidates(found, market.companions) if blended and blend.weights["companions"] else {}
    )
    from_graph = _walked(walks, [shopper for shopper in found if not shopper.new], results)
    bestsellers = _bestsellers(interests, market)
    sources = {
        shopper.customer_id: candidate_sources(
            shopper,
            market,
            from_model,
            {
                "graph": from_graph,
                "neighbours": from_neighbours,
                "companions": from_companions,
                "content": from_content,
                "asked": from_asked,
            },
            bestsellers,
            strategy=strategy,
        )
        for shopper in found
    }
    products = _active_products(
        set().union(
            *(candidates.product_ids for listed in sources.values() for candidates in listed.values())
        )
        | set().union(*(shopper.bought for shopper in found))
    )
    category_of = {pk: real_category(row[3], row[4]) for pk, row in products.items()}
    kinds = repurchase_kinds(blend, market)
    for shopper in found:
        result = results[shopper.customer_id]
        result.mode = _mode(shopper, result.degraded, strategy)
        picks = recommend(
            shopper,
            sources[shopper.customer_id],
            blend,
            kinds,
            category_of,
            limit=limit,
            category_ids=category_ids,
        )
        result.items = [
            Recommendation(pick.product_id, *products[pick.product_id][1:3], products[pick.product_id][4],
                           pick.score, pick.strategy, pick.reason)
            for pick in picks
        ]  # fmt: skip
    if from_model is not None and active is not None:
        _explain(active.trained, found, results)
    return results


def candidate_sources(
    shopper: Shopper,
    market: Market,
    from_model: dict[int, Candidates] | None,
    listed: Mapping[str, dict[int, Candidates]],
    bestsellers: dict[int, list[int]],
    *,
    strategy: str = "blended",
) -> dict[str, Candidates]:
    """The candidate lists a strategy blends for one customer (its regulars are filled in by
    ``blending.recommend``); ``listed``: each customer's lists of the graph's walks, the
    neighbours, content similarity and "more like this", by source."""
    found: dict[str, Candidates] = {}
    if strategy == "blended":
        found["repeat"] = NO_CANDIDATES
    if from_model is not None:
        found["model"] = from_model.get(shopper.customer_id, NO_CANDIDATES)
    for source, lists in listed.items():
        if shopper.customer_id in lists:
            found[source] = lists[shopper.customer_id]
    if strategy in ("blended", "popular") or not any(found.values()):
        found["declared"], found["interests"] = popular_in_interests(shopper, bestsellers)
        found["trending"] = trending(market)
        found["popular"] = popular(market)
    return found


def _bestsellers(category_ids: set[int], market: Market) -> dict[int, list[int]]:
    members: dict[int, list[int]] = defaultdict(list)
    for pk, category in Product.objects.filter(category_id__in=category_ids, active=True).values_list(
        "pk", "category_id"
    ):
        members[category].append(pk)
    return bestsellers_by_category(members, market)


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


def model_candidates(
    known: list[Shopper], trained: TrainedRecommender, new_products: list[int]
) -> dict[int, Candidates]:
    """The model's best products per shopper, and the products new since training (``new_products``)
    that score as high. Their reasons are written later, for the few the blend keeps (``_explain``)."""
    features = {shopper.customer_id: shopper.features for shopper in known}
    scored = trained.score(features)
    if not scored:
        return {}
    fresh = trained.score_new_products({pk: features[pk] for pk in scored}, new_products)
    product_ids = np.asarray(trained.product_ids)
    found: dict[int, Candidates] = {}
    for shopper in known:
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


def graph_candidates(customer_ids: list[int]) -> dict[int, Candidates]:
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


ProductRow = tuple[int, str, str, int | None, str | None]  # pk, sku, name, category id, category slug


def _active_products(product_ids: set[int]) -> dict[int, ProductRow]:
    return {
        row[0]: row
        for row in Product.objects.filter(pk__in=product_ids, active=True).values_list(
            "pk", "sku", "name", "category_id", "category__slug"
        )
    }
