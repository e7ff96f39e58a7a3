"""Examples of the recommendations endpoint in the API docs."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

RECOMMENDATIONS_EXAMPLES = [
    OpenApiExample(
        "Blended recommendations",
        summary="GET /api/v1/customers/17850/recommendations?limit=2",
        response_only=True,
        value={
            "customer": "17850",
            "mode": "blended",
            "model_version": 3,
            "degraded": [],
            "items": [
                {
                    "sku": "84879",
                    "name": "ASSORTED COLOUR BIRD ORNAMENT",
                    "category": "decorations",
                    "score": 0.91,
                    "strategy": "model",
                    "reason": "Because you bought WHITE HANGING HEART T-LIGHT HOLDER",
                },
                {
                    "sku": "22086",
                    "name": "PAPER CHAIN KIT 50'S CHRISTMAS",
                    "category": "christmas",
                    "score": 0.74,
                    "strategy": "graph:complements",
                    "reason": "Often bought together with WHITE HANGING HEART T-LIGHT HOLDER",
                },
            ],
        },
    ),
]
