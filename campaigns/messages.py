"""A rendered email as a message any Django or anymail backend sends, with the headers
every campaign email carries."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from campaigns.rendering.email import RenderedEmail


def build_message(
    rendered: RenderedEmail,
    *,
    to: str,
    unsubscribe_url: str,
    message_id: str | None = None,
    metadata: dict[str, str] | None = None,
    tags: list[str] | None = None,
) -> EmailMultiAlternatives:
    """Text first, HTML as the alternative; ``List-Unsubscribe`` with its RFC 8058 one-click
    companion. ``metadata`` and ``tags`` reach an anymail ESP (and come back in its webhooks)."""
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if message_id:
        headers["Message-ID"] = message_id
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(rendered.html, "text/html")
    message.metadata = metadata or {}  # type: ignore[attr-defined]
    message.tags = tags or []  # type: ignore[attr-defined]
    return message
