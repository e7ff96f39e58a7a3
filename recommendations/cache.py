"""Invalidating cached recommendations: each customer has a generation number in the cache key,
and the shop's figures (popularity, re-purchase shares, new products) one of their own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.cache import cache

from marketing_platform.cache import CacheUnavailable
from recommendations.signals import recommendations_changed

MARKET_GENERATION = "recs:market:generation"


def _key(customer_id: int) -> str:
    return f"recs:generation:{customer_id}"


def customer_generations(customer_ids: Sequence[int]) -> dict[int, int]:
    found = cache.get_many([_key(pk) for pk in customer_ids])
    return {pk: int(found.get(_key(pk), 0)) for pk in customer_ids}


def market_generation() -> int:
    return int(cache.get(MARKET_GENERATION) or 0)


def recommendations_invalidate(customer_ids: Iterable[int]) -> None:
    """Forget the cached recommendations of these customers (their purchases changed) and tell
    whoever listens (``recommendations_changed``)."""
    customer_ids = list(customer_ids)
    for customer_id in customer_ids:
        _bump(_key(customer_id))
    recommendations_changed.send(sender=None, customer_ids=customer_ids)


def market_invalidate() -> None:
    """Forget the shop's cached figures and with them every cached answer (an import or a new
    model changed what sells and what is known)."""
    _bump(MARKET_GENERATION)


def _bump(key: str) -> None:
    try:
        if not cache.add(key, 1, None):
            try:
                cache.incr(key)
            except ValueError:  # expired in between
                cache.set(key, 1, None)
    except CacheUnavailable:
        pass  # logged by the cache; what it held before the outage expires with its timeout
