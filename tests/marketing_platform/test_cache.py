from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from django.core.cache import caches
from prometheus_client import REGISTRY

from marketing_platform.cache import CULL_CHECK_EVERY, CacheUnavailable, PlatformFileCache, PlatformRedisCache
from tests.support import free_port

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


def test_an_unreachable_redis_degrades_reads_and_writes_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = PlatformRedisCache(f"redis://127.0.0.1:{free_port()}/0", {})
    failures_before = _failures("get") + _failures("set") + _failures("get_many")

    with caplog.at_level(logging.WARNING, logger="marketing_platform.cache"):
        for i in range(20):
            cache.set(f"key-{i}", i)
            assert cache.get(f"key-{i}", "missing") == "missing"
            assert cache.get_many([f"key-{i}"]) == {}
        failures = _failures("get") + _failures("set") + _failures("get_many")
        assert cache.get_or_set("computed", lambda: 42) == 42  # computed, not lost

    assert [record.getMessage()[:17] for record in caplog.records] == ["Cache unreachable"]
    assert failures == failures_before + 60
    assert cache.unavailable


def test_locks_and_counters_refuse_rather_than_answer_while_redis_is_down() -> None:
    cache = PlatformRedisCache(f"redis://127.0.0.1:{free_port()}/0", {})

    with pytest.raises(CacheUnavailable):
        cache.add("lock", True, 60)
    with pytest.raises(CacheUnavailable):
        cache.incr("counter")


def _failures(operation: str) -> float:
    return REGISTRY.get_sample_value("platform_cache_failures_total", {"operation": operation}) or 0.0


def test_file_cache_statistics_survive_a_file_culled_while_counting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = PlatformFileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 50}})
    cache.set("kept", "x" * 100)
    listed = [*cache._list_cache_files(), str(tmp_path / "culled-meanwhile.djcache")]  # type: ignore[attr-defined]
    monkeypatch.setattr(cache, "_list_cache_files", lambda: listed)

    stats = cache.statistics()

    assert (stats.backend, stats.entries, stats.max_entries) == ("files", 2, 50)
    assert stats.bytes is not None
    assert stats.bytes > 0
