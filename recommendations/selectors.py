"""Reads for serving: the active model (loaded once per version and process) and popularity."""

from __future__ import annotations

import pickle
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db.models import Count, Max

from catalog.models import Product
from customers.models import Purchase, PurchaseKind
from recommendations.lightfm_model import TrainedRecommender
from recommendations.models import ModelVersion

_lock = threading.Lock()
_loaded: dict[int, TrainedRecommender] = {}
POPULARITY_SECONDS = 600
T = TypeVar("T")


def active_recommender() -> tuple[int, TrainedRecommender] | None:
    """The serving version's id and model, or None before the first training."""
    version = ModelVersion.objects.filter(active=True).values_list("pk", "artifact").first()
    if version is None:
        return None
    pk, path = version
    with _lock:
        if pk not in _loaded:
            with default_storage.open(path, "rb") as artifact:
                # our own artifact, written by model_version_train into our own storage
                _loaded.clear()
                _loaded[pk] = pickle.load(artifact)  # noqa: S301
        return pk, _loaded[pk]


def product_popularity(*, before: datetime | None = None) -> dict[int, int]:
    """Distinct buyers per product over the ``RECOMMENDATIONS_POPULAR_DAYS`` that end with the
    last sale, or that end at ``before`` (an evaluation)."""
    return _live_or_before("recs:popularity", _popularity, before)


def repurchase_products(*, before: datetime | None = None) -> set[int]:
    """Re-purchase kinds: products at least ``RECOMMENDATIONS_REPURCHASE_SHARE`` of whose buyers
    (five at least) bought them on more than one invoice, counted on the sales before ``before``
    when given (an evaluation), otherwise on all of them."""
    return _live_or_before("recs:repurchase", _repurchase_kinds, before)


def _live_or_before(key: str, compute: Callable[[datetime | None], T], before: datetime | None) -> T:
    """Live figures are cached ten minutes; an evaluation's, computed at a past moment, are not."""
    if before is not None:
        return compute(before)
    return cast(T, cache.get_or_set(key, lambda: compute(None), POPULARITY_SECONDS))


def _popularity(before: datetime | None) -> dict[int, int]:
    sales = Purchase.objects.filter(kind=PurchaseKind.SALE)
    end = before or sales.aggregate(last=Max("purchased_at"))["last"]
    if end is None:
        return {}
    window = sales.filter(purchased_at__gte=end - timedelta(days=settings.RECOMMENDATIONS_POPULAR_DAYS))
    if before is not None:
        window = window.filter(purchased_at__lt=before)
    return dict(
        window.values_list("product_id")
        .annotate(buyers=Count("customer_id", distinct=True))
        .values_list("product_id", "buyers")
    )


def _repurchase_kinds(before: datetime | None) -> set[int]:
    sales = Purchase.objects.filter(kind=PurchaseKind.SALE)
    if before is not None:
        sales = sales.filter(purchased_at__lt=before)
    orders = (
        sales.values("product_id", "customer_id")
        .annotate(invoices=Count("invoice", distinct=True))
        .values_list("product_id", "invoices")
    )
    buyers: Counter[int] = Counter()
    repeat: Counter[int] = Counter()
    for product_id, invoices in orders.iterator(chunk_size=20_000):
        buyers[product_id] += 1
        repeat[product_id] += invoices > 1
    share = settings.RECOMMENDATIONS_REPURCHASE_SHARE
    return {pk for pk, count in buyers.items() if count >= 5 and repeat[pk] / count >= share}


def products_unknown_to(trained: TrainedRecommender, version: int) -> list[int]:
    """Active products the model never saw (new since training): scored by fold-in. Cached."""
    key = f"recs:unknown-products:{version}"
    cached: list[int] | None = cache.get(key)
    if cached is None:
        known = set(trained.items.entities)
        cached = [
            pk for pk in Product.objects.filter(active=True).values_list("pk", flat=True) if pk not in known
        ]
        cache.set(key, cached, POPULARITY_SECONDS)
    return cached
