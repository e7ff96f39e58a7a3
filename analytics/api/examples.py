"""Examples of the analytics endpoints in the API docs (figures of the Online Retail demo's
shape: December 2011, in pounds)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample


def _gbp(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "GBP"}


ACTIVITY_EXAMPLES = [
    OpenApiExample(
        "Two days",
        summary="since=2011-12-08&until=2011-12-09",
        response_only=True,
        value={
            "days": [
                {"day": "2011-12-08", "active_customers": 112, "orders": 131, "events": 40, "messages": 6,
                 "revenue": [_gbp("47432.470")]},
                {"day": "2011-12-09", "active_customers": 41, "orders": 45, "events": 12, "messages": 1,
                 "revenue": [_gbp("12354.900")]},
            ],
            "totals": {"since": "2011-12-08", "until": "2011-12-09", "orders": 176, "events": 52,
                       "messages": 7, "mean_active_customers": 76.5, "revenue": [_gbp("59787.370")]},
            "previous": {"since": "2011-12-06", "until": "2011-12-07", "orders": 204, "events": 61,
                         "messages": 9, "mean_active_customers": 92.0, "revenue": [_gbp("61528.120")]},
        },
    ),
    OpenApiExample(
        "A period that ends before it starts",
        summary="since=2011-12-09&until=2011-12-01: 400",
        response_only=True,
        status_codes=["400"],
        value={
            "error_code": "invalid_period",
            "message": "The period ends (2011-12-01) before it starts (2011-12-09).",
            "details": {},
            "timestamp": "2026-12-04T19:00:00+00:00",
            "request_id": "5f0c8d0e7a8f4f7c9a1b2c3d4e5f6a7b",
        },
    ),
]  # fmt: skip

CAMPAIGN_EXAMPLES = [
    OpenApiExample(
        "An A/B campaign's first day",
        response_only=True,
        value={
            "campaign": 7,
            "name": "Christmas picks",
            "days": [
                {"day": "2011-12-01", "variant": "A", "sent": 1200, "delivered": 1188, "opened": 402,
                 "clicked": 96, "unsubscribed": 3, "bounced": 12, "complained": 0, "converted": 14,
                 "revenue": _gbp("412.350")},
                {"day": "2011-12-01", "variant": "B", "sent": 1200, "delivered": 1191, "opened": 377,
                 "clicked": 71, "unsubscribed": 2, "bounced": 9, "complained": 1, "converted": 9,
                 "revenue": _gbp("268.100")},
            ],
        },
    ),
]  # fmt: skip

STRATEGY_EXAMPLES = [
    OpenApiExample(
        "Email only",
        summary="since=2011-11-01&until=2011-11-30&channel=email",
        response_only=True,
        value={
            "since": "2011-11-01",
            "until": "2011-11-30",
            "channel": "email",
            "strategies": [
                {"strategy": "model", "shown": 24000, "clicked": 610, "bought": 88,
                 "revenue": _gbp("2391.400"), "conversion_rate": 0.0036667},
                {"strategy": "graph:bought_together", "shown": 9000, "clicked": 240, "bought": 31,
                 "revenue": _gbp("802.150"), "conversion_rate": 0.0034444},
            ],
        },
    ),
]  # fmt: skip

RFM_EXAMPLES = [
    OpenApiExample(
        "Every segment's count",
        response_only=True,
        value={
            "segments": [{"segment": "Champions", "customers": 612}, {"segment": "At risk", "customers": 540}]
        },
    ),
    OpenApiExample(
        "A segment's members",
        summary="segment=Champions&page_size=1",
        response_only=True,
        value={
            "next": "https://shop.example/api/v1/analytics/rfm?cursor=cD0xMjM0Nw%3D%3D&page_size=1&segment=Champions",
            "previous": None,
            "results": [
                {"external_id": "12346", "orders": 31, "monetary": _gbp("5288.630"),
                 "first_purchase_at": "2010-12-01T09:37:00Z", "last_purchase_at": "2011-12-08T15:10:00Z"},
            ],
        },
    ),
]  # fmt: skip

COHORT_EXAMPLES = [
    OpenApiExample(
        "Two cohorts",
        summary="since=2011-10-01&until=2011-11-30",
        response_only=True,
        value={
            "cohorts": [
                {"month": "2011-10-01", "customers": 358, "retained": [0.2, 0.08]},
                {"month": "2011-11-01", "customers": 323, "retained": [0.11]},
            ]
        },
    ),
]
