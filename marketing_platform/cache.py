"""Django's caches, trimmed for the calls the platform makes most, and degrading when Redis is down.

Redis: Django's client builds a new ``redis.Redis`` object for each call (a tenth
of a millisecond of setting up response callbacks) and checks that a key exists
before incrementing it (two round trips). This one keeps one ``redis.Redis`` per
connection pool and increments with a Lua script: one round trip, atomic.

When Redis cannot be reached the platform serves without it: a read is a miss and
a write stores nothing, while ``add`` and ``incr`` (locks and counters, whose
callers decide on the answer) raise :class:`CacheUnavailable`. The first failure
is logged, every failed call is counted (``platform_cache_failures_total``), and
for ``RETRY_SECONDS`` calls skip Redis instead of each waiting on it; the next
call then tries again, and the first that succeeds logs the recovery.

Files (the embedded default): Django's file cache lists the whole directory on
every write to decide whether to cull; with a campaign's recommendations cached
(thousands of files) that is 10 ms a write. This one counts once every
``CULL_CHECK_EVERY`` writes of a process, so the cache may pass ``MAX_ENTRIES`` by
that many writes per process.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

from marketing_platform.metrics import CACHE_FAILURES

logger = logging.getLogger(__name__)
T = TypeVar("T")
CULL_CHECK_EVERY = 100
RETRY_SECONDS = 5.0
# Seconds a call waits on Redis: a host that does not answer must not hold a request.
SOCKET_SECONDS = 2.0
_MISSING = object()

INCR_EXISTING = """
if redis.call('exists', KEYS[1]) == 1 then
    return redis.call('incrby', KEYS[1], ARGV[1])
end
return false
"""


# Keys a statistics call examines at most to count one kind of entry in Redis (SCAN, not KEYS).
SCAN_LIMIT = 100_000


@dataclass(frozen=True)
class CacheStatistics:
    """What a backend can tell about itself; None where it cannot (a file cache keeps no hit counts)."""

    backend: str
    entries: int
    bytes: int | None
    max_entries: int | None
    hits: int | None
    misses: int | None
    evictions: int | None

    @property
    def hit_rate(self) -> float | None:
        if self.hits is None or self.misses is None or not self.hits + self.misses:
            return None
        return self.hits / (self.hits + self.misses)


class CacheUnavailable(Exception):
    """The cache cannot be reached: raised where no default answer would be true (``add``, ``incr``)."""


class _Outage:
    """Whether one Redis is down, shared by the threads of the process (each has its own client)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.since: float | None = None
        self.retry_at = 0.0

    def skipping(self) -> bool:
        return self.since is not None and time.monotonic() < self.retry_at

    def failed(self, exc: Exception) -> None:
        with self._lock:
            now = time.monotonic()
            self.retry_at = now + RETRY_SECONDS
            if self.since is not None:
                return
            self.since = now
        logger.warning(
            "Cache unreachable (%s: %s); serving without it until it answers again",
            type(exc).__name__,
            exc,
        )

    def succeeded(self) -> None:
        if self.since is None:
            return
        with self._lock:
            if self.since is None:
                return
            down_for, self.since = time.monotonic() - self.since, None
        logger.warning("Cache reachable again after %.0f s", down_for)


_outages: defaultdict[str, _Outage] = defaultdict(_Outage)


class PlatformRedisCacheClient(RedisCacheClient):
    def __init__(self, servers: list[str], **options: Any) -> None:
        options.setdefault("socket_connect_timeout", SOCKET_SECONDS)
        options.setdefault("socket_timeout", SOCKET_SECONDS)
        super().__init__(servers, **options)
        self._clients: dict[int, Any] = {}
        self.outage = _outages[",".join(servers)]

    def _guarded(self, operation: str, call: Callable[[], T]) -> T:
        """``call()``, or :class:`CacheUnavailable` while Redis is down or when it fails."""
        if self.outage.skipping():
            CACHE_FAILURES.labels(operation=operation).inc()
            raise CacheUnavailable(f"cache {operation}: Redis is down")
        try:
            result = call()
        except (RedisError, OSError) as exc:
            CACHE_FAILURES.labels(operation=operation).inc()
            self.outage.failed(exc)
            raise CacheUnavailable(f"cache {operation}: {type(exc).__name__}") from exc
        self.outage.succeeded()
        return result

    def _soft(self, operation: str, call: Callable[[], T], fallback: T) -> T:
        try:
            return self._guarded(operation, call)
        except CacheUnavailable:
            return fallback

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client

    def add(self, key: Any, value: Any, timeout: Any) -> bool:
        return self._guarded("add", partial(super().add, key, value, timeout))

    def incr(self, key: Any, delta: int) -> int:
        value = self._guarded(
            "incr", lambda: self.get_client(key, write=True).eval(INCR_EXISTING, 1, key, delta)
        )
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return int(value)

    def get(self, key: Any, default: Any) -> Any:
        return self._soft("get", partial(super().get, key, default), default)

    def get_many(self, keys: Any) -> dict[Any, Any]:
        return self._soft("get_many", partial(super().get_many, keys), {})

    def has_key(self, key: Any) -> bool:
        return self._soft("has_key", partial(super().has_key, key), False)

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        self._soft("set", partial(super().set, key, value, timeout), None)

    def set_many(self, data: Any, timeout: Any) -> None:
        self._soft("set_many", partial(super().set_many, data, timeout), None)

    def touch(self, key: Any, timeout: Any) -> bool:
        return self._soft("touch", partial(super().touch, key, timeout), False)

    def delete(self, key: Any) -> bool:
        return self._soft("delete", partial(super().delete, key), False)

    def delete_many(self, keys: Any) -> None:
        self._soft("delete_many", partial(super().delete_many, keys), None)

    def clear(self) -> bool:
        return self._soft("clear", partial(super().clear), False)


class PlatformRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = PlatformRedisCacheClient

    @property
    def _platform(self) -> PlatformRedisCacheClient:
        return self._cache  # type: ignore[attr-defined]

    @property
    def unavailable(self) -> bool:
        """True while Redis is down: its last call failed."""
        return self._platform.outage.since is not None

    def statistics(self) -> CacheStatistics:
        """Entries of this cache's database; hits, misses and evictions are the Redis server's
        since it started (every database and client of that server). Raises ``CacheUnavailable``."""
        client = self._platform.get_client()
        info, entries = self._platform._guarded("info", lambda: (client.info(), client.dbsize()))
        return CacheStatistics("redis", int(entries), int(info["used_memory"]), None,
                               int(info["keyspace_hits"]), int(info["keyspace_misses"]),
                               int(info["evicted_keys"]))  # fmt: skip

    def count(self, pattern: str) -> int | None:
        """Entries whose key matches ``pattern`` (a glob over our keys); None past ``SCAN_LIMIT``
        keys examined, so a large cache is not walked whole. Raises ``CacheUnavailable``."""
        client = self._platform.get_client()
        match = self.make_key(pattern)

        def scan() -> int | None:
            found = examined = 0
            cursor = 0
            while True:
                cursor, keys = client.scan(cursor, match=match, count=1_000)
                found += len(keys)
                examined += 1_000
                if cursor == 0:
                    return found
                if examined >= SCAN_LIMIT:
                    return None

        return self._platform._guarded("scan", scan)

    def get_or_set(
        self, key: Any, default: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> Any:
        """Django's, but a computed value is returned when Redis is down instead of lost."""
        value = self.get(key, _MISSING, version=version)
        if value is not _MISSING:
            return value
        if callable(default):
            default = default()
        try:
            self.add(key, default, timeout=timeout, version=version)
        except CacheUnavailable:
            return default
        return self.get(key, default, version=version)


def cache_unavailable(alias: str = "default") -> bool:
    """Whether the cache is down now, so that what was served without it can say so."""
    backend = caches[alias]
    return isinstance(backend, PlatformRedisCache) and backend.unavailable


class PlatformFileCache(FileBasedCache):
    def __init__(self, directory: str, params: dict[str, Any]) -> None:
        super().__init__(directory, params)
        self._writes = 0

    def _cull(self) -> None:
        due = self._writes % CULL_CHECK_EVERY == 0
        self._writes += 1
        if due:
            super()._cull()  # type: ignore[misc]

    def statistics(self) -> CacheStatistics:
        files = self._list_cache_files()  # type: ignore[attr-defined]
        return CacheStatistics(
            "files", len(files), sum(map(_size, files)), self._max_entries, None, None, None
        )

    def count(self, pattern: str) -> int | None:
        """A file cache names its files by a hash of the key: entries of a kind cannot be told."""
        return None


def _size(name: str) -> int:
    """0 for a file culled or expired since the directory was listed."""
    try:
        return os.path.getsize(name)
    except FileNotFoundError:
        return 0


def cache_statistics(alias: str = "default") -> CacheStatistics:
    """Raises ``CacheUnavailable`` when the cache cannot be reached."""
    backend = caches[alias]
    if not isinstance(backend, PlatformRedisCache | PlatformFileCache):
        raise TypeError(f"the {alias} cache ({type(backend).__name__}) keeps no statistics")
    return backend.statistics()


def cached_entries(pattern: str, alias: str = "default") -> int | None:
    """How many entries match ``pattern``, where the backend can tell (Redis); None otherwise."""
    backend = caches[alias]
    return backend.count(pattern) if isinstance(backend, PlatformRedisCache | PlatformFileCache) else None
