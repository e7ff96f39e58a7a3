"""Reads for serving: the active model (loaded once per version and process) and popularity."""

from __future__ import annotations

import pickle
import threading
from collections import Counter
from datetime import timedelta

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
POPULAR_WINDOW = timedelta(days=90)
POPULARITY_SECONDS = 600


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


def product_popularity() -> dict[int, int]:
    """Distinct buyers per product over the last 90 days of sales data (cached ten minutes)."""
    cached: dict[int, int] | None = cache.get("recs:popularity")
    if cached is not None:
        return cached
    sales = Purchase.objects.filter(kind=PurchaseKind.SALE)
    last = sales.aggregate(last=Max("purchased_at"))["last"]
    if last is None:
        return {}
    counts = dict(
        sales.filter(purchased_at__gte=last - POPULAR_WINDOW)
        .values_list("product_id")
        .annotate(buyers=Count("customer_id", distinct=True))
        .values_list("product_id", "buyers")
    )
    cache.set("recs:popularity", counts, POPULARITY_SECONDS)
    return counts


def repurchase_products() -> set[int]:
    """Re-purchase kinds: products at least ``RECOMMENDATIONS_REPURCHASE_SHARE`` of whose buyers
    (five at least) bought them on more than one invoice."""
    cached: set[int] | None = cache.get("recs:repurchase")
    if cached is not None:
        return cached
    orders = (
        Purchase.objects.filter(kind=PurchaseKind.SALE)
        .values("product_id", "customer_id")
        .annotate(invoices=Count("invoice", distinct=True))
        .values_list("product_id", "invoices")
    )
    buyers: Counter[int] = Counter()
    repeat: Counter[int] = Counter()
    for product_id, invoices in orders.iterator(chunk_size=20_000):
        buyers[product_id] += 1
        repeat[product_id] += invoices > 1
    share = settings.RECOMMENDATIONS_REPURCHASE_SHARE
    found = {pk for pk, count in buyers.items() if count >= 5 and repeat[pk] / count >= share}
    cache.set("recs:repurchase", found, POPULARITY_SECONDS)
    return found


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
