"""Examples of the ingest endpoint in the API docs."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

INGEST_EXAMPLES = [
    OpenApiExample(
        "An order, a return and browsing",
        summary="Purchases (keyed by invoice and line, or by id), events and a declared interest",
        request_only=True,
        value={
            "source": "webshop",
            "customer": {"name": "Ada Lovelace", "email": "ada@example.com", "marketing_consent": True},
            "purchases": [
                {
                    "invoice": "W1001",
                    "line": 1,
                    "purchased_at": "2026-11-28T10:15:00Z",
                    "sku": "85123A",
                    "quantity": 6,
                    "unit_price": "2.55",
                    "currency": "GBP",
                },
                {
                    "id": "return-77",
                    "kind": "return",
                    "sku": "22086",
                    "quantity": 1,
                    "unit_price": "2.95",
                    "purchased_at": "2026-11-30T16:40:00+01:00",
                },
            ],
            "events": [
                {"id": "ev-501", "kind": "view", "sku": "22086", "occurred_at": "2026-11-28T10:02:00Z"},
                {"id": "ev-502", "kind": "cart_add", "sku": "85123A", "occurred_at": "2026-11-28T10:09:00Z"},
            ],
            "interests": [{"interest": "seasonal/christmas", "confidence": 0.9}],
        },
    ),
    OpenApiExample(
        "Events only",
        summary="What a customer looked at: sent again, nothing is stored twice",
        request_only=True,
        value={
            "events": [
                {"id": "ev-503", "kind": "view", "sku": "21212", "occurred_at": "2026-12-01T09:30:00Z"},
                {"id": "ev-504", "kind": "click", "sku": "21212", "occurred_at": "2026-12-01T09:31:00Z"},
            ]
        },
    ),
]
