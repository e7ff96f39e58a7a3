"""Django's Redis cache with a one-round-trip ``incr``, the hot call of every rate-limited request.

Django's client checks that the key exists, then increments it: two round trips.
A Lua script does both atomically in one.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

INCR_EXISTING = """
if redis.call('exists', KEYS[1]) == 1 then
    return redis.call('incrby', KEYS[1], ARGV[1])
end
return false
"""


class AtomicIncrClient(RedisCacheClient):
    def incr(self, key: Any, delta: int) -> int:
        value = self.get_client(key, write=True).eval(INCR_EXISTING, 1, key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return int(value)


class PlatformRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = AtomicIncrClient
