"""Platform counters, exported with django-prometheus's at /metrics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import prometheus_client

INGESTED_ITEMS = prometheus_client.Counter(
    "platform_ingested_items_total",
    "Items offered to the platform, by kind and result (created or duplicate).",
    ["kind", "result"],
)
REJECTED_ITEMS = prometheus_client.Counter(
    "platform_rejected_items_total",
    "Items refused, by source (api, import) and reason.",
    ["source", "reason"],
)
API_ERRORS = prometheus_client.Counter(
    "platform_api_errors_total",
    "Error responses of the API, by error code and HTTP status.",
    ["error_code", "status"],
)
CACHE_FAILURES = prometheus_client.Counter(
    "platform_cache_failures_total",
    "Cache calls that could not reach the cache (served as a miss, not stored, or refused), by operation.",
    ["operation"],
)
RATE_LIMIT_STORE_DOWN = prometheus_client.Counter(
    "platform_rate_limit_store_down_total",
    "Rate-limit checks that could not count the request (the store was down), by limit and "
    "decision: allowed or refused (RATE_LIMIT_FAIL_OPEN).",
    ["limit", "decision"],
)


def count_ingested(kind: str, created: int, duplicate: int) -> None:
    INGESTED_ITEMS.labels(kind=kind, result="created").inc(created)
    INGESTED_ITEMS.labels(kind=kind, result="duplicate").inc(duplicate)


def count_rejected(source: str, reasons: Iterable[str]) -> None:
    for reason, count in Counter(reasons).items():
        REJECTED_ITEMS.labels(source=source, reason=reason).inc(count)
