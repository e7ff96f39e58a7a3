from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.cache import caches

from marketing_platform.cache import CULL_CHECK_EVERY, PlatformFileCache, PlatformRedisCache

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL), as in CI")


def test_the_file_cache_culls_without_listing_its_directory_on_every_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = PlatformFileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 50}})
    listings = 0
    list_files = cache._list_cache_files  # type: ignore[attr-defined]

    def counted() -> list[str]:
        nonlocal listings
        listings += 1
        return list_files()

    monkeypatch.setattr(cache, "_list_cache_files", counted)

    for i in range(3 * CULL_CHECK_EVERY):
        cache.set(f"key-{i}", i)

    assert listings == 3  # once every CULL_CHECK_EVERY writes, not once a write
    assert len(list(tmp_path.iterdir())) < 3 * CULL_CHECK_EVERY  # culled all the same
    assert cache.get(f"key-{3 * CULL_CHECK_EVERY - 1}") == 3 * CULL_CHECK_EVERY - 1


@needs_redis
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


@needs_redis
def test_the_platform_uses_it_in_services_mode() -> None:
    assert isinstance(caches["default"], PlatformRedisCache)
