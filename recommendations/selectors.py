"""Reads for serving: the active model with its blend (loaded once per version and process),
what is known of customers, and the shop's figures (cached until an import or a new model)."""

from __future__ import annotations

import pickle
import threading
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from django.core.cache import cache
from django.core.files.storage import default_storage

from catalog.models import Product
from customers.models import Customer, CustomerInterest, InteractionEvent, InterestSource
from customers.ownership import acquisitions, order_counts, order_moments_of
from customers.selectors import FeedbackOf, feedback_of
from recommendations.blending import Blend, Shopper, default_blend
from recommendations.cache import market_generation
from recommendations.dataset import features_of
from recommendations.lightfm_model import TrainedRecommender
from recommendations.market import Market, market_of
from recommendations.models import ModelVersion

_lock = threading.Lock()
_loaded: dict[tuple[int, str], ActiveModel] = {}
# The shop's figures are refreshed in the background more often than they expire
# (``RECOMMENDATIONS_MARKET_REFRESH_SECONDS``), so requests rarely compute them.
MARKET_SECONDS = 1800
# A process keeps the figures it read while the cache says they are the same (a stamp written
# with them): with the neighbourhood's matrices they weigh a few megabytes on a large shop, too
# much to fetch at every request.
_held: dict[str, tuple[str, Market]] = {}


class ActiveModel(NamedTuple):
    version: int
    trained: TrainedRecommender
    blend: Blend


def active_recommender() -> ActiveModel | None:
    """The serving version's id, model and blend, or None before the first training."""
    version = ModelVersion.objects.filter(active=True).values_list("pk", "artifact", "blend").first()
    if version is None:
        return None
    pk, path, blend = version
    with _lock:
        if (pk, path) not in _loaded:
            with default_storage.open(path, "rb") as artifact:
                # our own artifact, written by model_version_train into our own storage
                trained = pickle.load(artifact)  # noqa: S301
            _loaded.clear()
            _loaded[pk, path] = ActiveModel(pk, trained, Blend.of(blend) if blend else default_blend())
        return _loaded[pk, path]


def serving_blend(active: ActiveModel | None) -> Blend:
    return active.blend if active is not None else default_blend()


def live_market(blend: Blend) -> Market:
    """The shop's figures over every purchase, for the blend's popularity window: cached until
    an import or a new model, refreshed in the background (``market_refresh``), computed here
    only when missing."""
    key = market_key(blend)  # read once: an import finishing meanwhile makes a new key, not this one
    stamp: str | None = cache.get(f"{key}:stamp")
    held = _held.get(key)
    if held is not None and stamp == held[0]:
        return held[1]
    market: Market | None = cache.get(key) if stamp is not None else None
    if market is None or stamp is None:
        market = computed_market(blend)
        stamp = market_store(key, market)
    _held.clear()  # one generation and window at a time
    _held[key] = (stamp, market)
    return market


def market_store(key: str, market: Market) -> str:
    """Cache ``market`` under ``key`` with a new stamp, and return the stamp."""
    stamp = uuid.uuid4().hex
    cache.set_many({key: market, f"{key}:stamp": stamp}, MARKET_SECONDS)
    return stamp


def market_key(blend: Blend) -> str:
    return f"recs:market:{market_generation()}:{blend.popular_days}"


def computed_market(blend: Blend) -> Market:
    """A few seconds on a few hundred thousand purchases: what the cache spares requests."""
    return market_of(list(acquisitions()), blend.popular_days)


def shoppers(customer_ids: Sequence[int]) -> list[Shopper]:
    """What is known of each customer: what it has, its events, interests, features and feedback."""
    ordered = order_moments_of(acquisitions(customer_ids=customer_ids))
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
    feedback = feedback_of(customer_ids)
    found = []
    for pk in customer_ids:
        rows = interests[pk]
        said = feedback.get(pk, FeedbackOf())
        named = [(name, category, source == InterestSource.DECLARED) for _, _, name, category, source in rows]
        found.append(
            Shopper(
                customer_id=pk,
                bought=order_counts(ordered.get(pk, {})),
                has_events=pk in with_events,
                interests=sorted(named, key=lambda item: not item[2]),
                features=features_of(
                    countries.get(pk) or "", ((interest, confidence) for interest, confidence, *_ in rows)
                ),
                ordered_at=ordered.get(pk, {}),
                not_for_me=said.not_for_me,
                more_like_this=said.more_like_this,
            )
        )
    return found


def products_unknown_to(trained: TrainedRecommender, version: int) -> list[int]:
    """Active products the model never saw (new since training): scored by fold-in. Cached."""
    key = f"recs:unknown-products:{version}:{market_generation()}"
    cached: list[int] | None = cache.get(key)
    if cached is None:
        known = set(trained.items.entities)
        cached = [
            pk for pk in Product.objects.filter(active=True).values_list("pk", flat=True) if pk not in known
        ]
        cache.set(key, cached, MARKET_SECONDS)
    return cached
