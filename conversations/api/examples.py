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
