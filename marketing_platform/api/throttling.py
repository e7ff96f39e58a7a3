"""Rate limits with django-ratelimit: per principal (user or API key), per client IP, and on failures.

Counts live in the default cache, which services mode points at Redis, so a
limit holds across every web process. While that store is unreachable,
``RATE_LIMIT_FAIL_OPEN`` decides: serve without limits (the default: an outage of
the counter must not become an outage of the platform), or answer 503 with
``Retry-After``. Each such decision is counted (``platform_rate_limit_store_down_total``).
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from marketing_platform.api.principal import Role, principal_of
from marketing_platform.cache import RETRY_SECONDS, CacheUnavailable, cache_unavailable
from marketing_platform.metrics import RATE_LIMIT_STORE_DOWN

logger = logging.getLogger(__name__)
STORE_ERRORS = (CacheUnavailable, RedisError, ConnectionError, TimeoutError, OSError)
Usage = dict[str, Any]
STORE_DOWN_MESSAGE = "Rate limits cannot be counted right now; retry shortly."


class RateLimitStoreDown(exceptions.Throttled):
    """503: the request cannot be counted against its limit and ``RATE_LIMIT_FAIL_OPEN`` is off."""

    status_code = 503
    default_code = "rate_limit_unavailable"
    default_detail = STORE_DOWN_MESSAGE


def _store_down_allows(limit: str) -> bool:
    """Whether a request the store cannot count goes through (``RATE_LIMIT_FAIL_OPEN``); counted."""
    allowed = bool(settings.RATE_LIMIT_FAIL_OPEN)
    RATE_LIMIT_STORE_DOWN.labels(limit=limit, decision="allowed" if allowed else "refused").inc()
    return allowed


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind a proxy the right-most address it appended.

    Anything unreadable counts as one shared "unknown" client rather than as no client at all.
    """
    header = settings.RATELIMIT_IP_META_KEY
    candidates = request.META.get(header, "").split(",") if header else []
    for candidate in [*reversed(candidates), request.META.get("REMOTE_ADDR", "")]:
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return "unknown"


def _usage(request: HttpRequest, *, group: str, key: str, rate: str, increment: bool) -> Usage | None:
    def fixed(group: str, request: HttpRequest) -> str:
        return key

    try:
        usage: Usage | None = get_usage(request, group=group, key=fixed, rate=rate, increment=increment)
    except STORE_ERRORS:
        if _store_down_allows(group.partition(":")[0]):
            return None
        raise RateLimitStoreDown(wait=RETRY_SECONDS) from None
    return usage


class _CountingThrottle(BaseThrottle):
    """Counts one request against the limit ``limit_for`` names; None: not limited here."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def limit_for(self, request: Request, view: Any) -> tuple[str, str, str] | None:
        """The (group, key, rate) to count this request against."""
        raise NotImplementedError

    def allow_request(self, request: Request, view: Any) -> bool:
        limit = self.limit_for(request, view)
        if limit is None:
            return True
        group, key, rate = limit
        usage = _usage(request._request, group=group, key=key, rate=rate, increment=True)
        if usage is None or not usage["should_limit"]:
            return True
        self._wait = usage["time_left"]
        return False

    def wait(self) -> float | None:
        return self._wait


class PrincipalRateThrottle(_CountingThrottle):
    """The limit of the caller's role (``API_RATE_LIMITS``), or the view's own ``rate_limit`` by IP."""

    def limit_for(self, request: Request, view: Any) -> tuple[str, str, str]:
        own_limit: str | None = getattr(view, "rate_limit", None)
        principal = principal_of(request)
        if own_limit is None and principal.rate_key is not None:
            rate = settings.API_RATE_LIMITS.get(principal.role, settings.API_RATE_LIMITS[Role.ANONYMOUS])
            return "principal", principal.rate_key, rate
        limit = own_limit or Role.ANONYMOUS
        return f"ip:{limit}", client_ip(request._request), settings.API_RATE_LIMITS[limit]


class AccountRateThrottle(_CountingThrottle):
    """Sign-in attempts per account name (``API_RATE_LIMITS["account"]``), from any address.

    The per-IP limit stops one guesser; this one stops many addresses guessing
    the same account's password.
    """

    def limit_for(self, request: Request, view: Any) -> tuple[str, str, str] | None:
        username = request.data.get("username") if isinstance(request.data, dict) else None
        if not isinstance(username, str) or not username.strip():
            return None  # the serializer refuses it; nothing to guess
        return "account", username.strip().casefold(), settings.API_RATE_LIMITS["account"]


class FailedRequestLimitMiddleware:
    """Limits 401 and 403 answers per client IP under /api/.

    DRF authenticates and checks permissions before it throttles, so guessing
    keys, tokens or passwords, and knocking on forbidden doors, would never meet
    the per-principal limits. Each refusal counts here; over ``API_RATE_LIMITS
    ["failures"]`` the IP gets 429 before any work is done.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        counter = _FailureWindow(client_ip(request), settings.API_RATE_LIMITS["failures"])
        try:
            reached = counter.reached()
        except STORE_ERRORS:
            if not _store_down_allows("failures"):
                return _refused(503, "rate_limit_unavailable", STORE_DOWN_MESSAGE, RETRY_SECONDS)
            reached = False
        if reached:
            return _refused(
                429, "throttled", "Too many refused requests; wait before retrying.", counter.seconds_left()
            )
        response = self.get_response(request)
        if response.status_code in (401, 403):
            counter.add_one()
        return response


class _FailureWindow:
    """A fixed-window count of one IP's refusals: one cache read per request, writes only on refusals."""

    def __init__(self, ip: str, rate: str) -> None:
        count, period = rate.split("/")
        self.limit = int(count)
        self.period = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[-1]] * int(period[:-1] or 1)
        now = time.time()
        self.window_end = (now // self.period + 1) * self.period
        self.key = f"failures:{ip}:{int(now // self.period)}"

    def reached(self) -> bool:
        """Raises ``CacheUnavailable`` when the count cannot be read."""
        count = int(cache.get(self.key, 0))
        if cache_unavailable():  # the read degraded to a miss
            raise CacheUnavailable("the rate-limit store cannot be reached")
        return count >= self.limit

    def add_one(self) -> None:
        try:
            if not cache.add(self.key, 1, self.period + 1):
                cache.incr(self.key)
        except CacheUnavailable:
            pass  # the cache logs its outage once
        except (*STORE_ERRORS, ValueError):  # ValueError: the window expired in between
            logger.warning("Could not count a refused request", exc_info=True)

    def seconds_left(self) -> float:
        return self.window_end - time.time()


def _refused(status: int, error_code: str, message: str, wait: float) -> JsonResponse:
    from marketing_platform.api.errors import envelope_body

    response = JsonResponse(envelope_body(error_code=error_code, message=message), status=status)
    response["Retry-After"] = str(max(1, int(wait)))
    return response
