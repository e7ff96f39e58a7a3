"""Invalidating cached recommendations: each customer has a generation number in the cache key."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache


def _key(customer_id: int) -> str:
    return f"recs:generation:{customer_id}"


def customer_generation(customer_id: int) -> int:
    return int(cache.get(_key(customer_id), 0))


def recommendations_invalidate(customer_ids: Iterable[int]) -> None:
    """Forget the cached recommendations of these customers (their purchases changed)."""
    for customer_id in customer_ids:
        key = _key(customer_id)
        if not cache.add(key, 1, None):
            try:
                cache.incr(key)
            except ValueError:  # expired in between
                cache.set(key, 1, None)
