"""Examples of the messages endpoint in the API docs."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

MESSAGES_EXAMPLES = [
    OpenApiExample(
        "A chat and a reply to a campaign",
        summary="Keyed by the sender's ids: sent again, nothing is stored twice",
        request_only=True,
        value={
            "source": "webshop-chat",
            "messages": [
                {
                    "id": "chat-88121",
                    "text": "Hi, my order W1001 has not arrived yet. Can you tell me where it is?",
                    "channel": "chat",
                    "sent_at": "2026-11-30T09:12:00Z",
                    "language": "en",
                },
                {
                    "id": "chat-88122",
                    "text": "Les bougies de Noël sont-elles encore disponibles en rouge ?",
                    "channel": "chat",
                    "sent_at": "2026-11-30T09:20:00+01:00",
                    "language": "fr",
                },
            ],
        },
    ),
]

SEARCH_EXAMPLES = [
    OpenApiExample(
        "Late parcels since December",
        summary="GET /api/v1/messages/search?q=my parcel has not arrived&since=2026-12-01T00:00:00Z&k=2",
        response_only=True,
        value={
            "results": [
                {
                    "id": 4182,
                    "customer": "C-17850",
                    "text": "Hi, my order W1001 has not arrived yet. Can you tell me where it is?",
                    "sent_at": "2026-12-02T09:12:00Z",
                    "intent": "delivery",
                    "score": 0.912,
                },
                {
                    "id": 3907,
                    "customer": "C-13047",
                    "text": "Mein Paket ist immer noch nicht da.",
                    "sent_at": "2026-12-01T17:40:00Z",
                    "intent": None,
                    "score": 0.874,
                },
            ]
        },
    ),
]
