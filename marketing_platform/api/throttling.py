"""Rate limits with django-ratelimit, per principal (user or API key) or per client IP.

Counts live in the default cache, which services mode points at Redis, so a
limit holds across every web process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from marketing_platform.api.principal import Role, principal_of

logger = logging.getLogger(__name__)


class PrincipalRateThrottle(BaseThrottle):
    """The limit of the caller's role (``API_RATE_LIMITS``), or the view's own ``rate_limit`` by IP."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        own_limit: str | None = getattr(view, "rate_limit", None)
        principal = principal_of(request)
        key: str | Callable[[str, HttpRequest], str]
        if own_limit is None and principal.rate_key is not None:
            group, key, rate = (
                "principal",
                _fixed(principal.rate_key),
                settings.API_RATE_LIMITS[principal.role],
            )
        else:
            limit = own_limit or Role.ANONYMOUS
            group, key, rate = f"ip:{limit}", "ip", settings.API_RATE_LIMITS[limit]
        try:
            usage = get_usage(request._request, group=group, key=key, rate=rate, increment=True)
        except Exception:
            logger.warning("Rate-limit store unavailable; request allowed", exc_info=True)
            return True
        if usage is None or not usage["should_limit"]:
            return True
        self._wait = usage["time_left"]
        return False

    def wait(self) -> float | None:
        return self._wait


def _fixed(value: str) -> Callable[[str, HttpRequest], str]:
    def key(group: str, request: HttpRequest) -> str:
        return value

    return key
