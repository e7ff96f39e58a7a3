"""Django's caches, trimmed for the calls the platform makes most.

Redis: Django's client builds a new ``redis.Redis`` object for each call (a tenth
of a millisecond of setting up response callbacks) and checks that a key exists
before incrementing it (two round trips). This one keeps one ``redis.Redis`` per
connection pool and increments with a Lua script: one round trip, atomic.

Files (the embedded default): Django's file cache lists the whole directory on
every write to decide whether to cull; with a campaign's recommendations cached
(thousands of files) that is 10 ms a write. This one counts once every
``CULL_CHECK_EVERY`` writes of a process, so the cache may pass ``MAX_ENTRIES`` by
that many writes per process.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

CULL_CHECK_EVERY = 100

INCR_EXISTING = """
if redis.call('exists', KEYS[1]) == 1 then
    return redis.call('incrby', KEYS[1], ARGV[1])
end
return false
"""


class PlatformRedisCacheClient(RedisCacheClient):
    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client

    def incr(self, key: Any, delta: int) -> int:
        value = self.get_client(key, write=True).eval(INCR_EXISTING, 1, key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return int(value)


class PlatformRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = PlatformRedisCacheClient


class PlatformFileCache(FileBasedCache):
    def __init__(self, directory: str, params: dict[str, Any]) -> None:
        super().__init__(directory, params)
        self._writes = 0

    def _cull(self) -> None:
        due = self._writes % CULL_CHECK_EVERY == 0
        self._writes += 1
        if due:
            super()._cull()  # type: ignore[misc]
