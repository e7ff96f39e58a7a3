"""Platform counters, exported with django-prometheus's at /metrics."""

from __future__ import annotations

from prometheus_client import Counter

INGESTED_ITEMS = Counter(
    "platform_ingested_items_total",
    "Items offered to the platform, by kind and result (created or duplicate).",
    ["kind", "result"],
)
REJECTED_ITEMS = Counter(
    "platform_rejected_items_total",
    "Items refused, by source (api, import) and reason.",
    ["source", "reason"],
)
API_ERRORS = Counter(
    "platform_api_errors_total",
    "Error responses of the API, by error code and HTTP status.",
    ["error_code", "status"],
)
