from __future__ import annotations

import os

import pytest
from django.core.cache import caches

from marketing_platform.cache import PlatformRedisCache

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL), as in CI")


def test_incr_counts_an_existing_key_and_refuses_a_missing_one() -> None:
    cache = PlatformRedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-incr"})
    cache.delete("hits")
    cache.add("hits", 1, 60)

    assert cache.incr("hits") == 2
    assert cache.incr("hits", 3) == 5
    assert cache.get("hits") == 5
    cache.delete("hits")
    with pytest.raises(ValueError, match="not found"):
        cache.incr("hits")


def test_the_platform_uses_it_in_services_mode() -> None:
    assert isinstance(caches["default"], PlatformRedisCache)
