"""Signed links in emails: unsubscribe (per recipient, never expires) and tracked clicks."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

UNSUBSCRIBE_SALT = "campaigns.unsubscribe"
CLICK_SALT = "campaigns.click"


@dataclass(frozen=True)
class Recipient:
    customer_id: int
    send_id: int | None  # None: a preview or a test email


@dataclass(frozen=True)
class Click:
    send_id: int | None
    product_id: int | None
    url: str


def unsubscribe_url(recipient: Recipient) -> str:
    token = signing.dumps([recipient.customer_id, recipient.send_id], salt=UNSUBSCRIBE_SALT, compress=True)
    return settings.SITE_URL + reverse("email-unsubscribe", args=[token])


def read_unsubscribe(token: str) -> Recipient:
    """Raises ``signing.BadSignature`` for a token we did not sign."""
    customer_id, send_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return Recipient(int(customer_id), int(send_id) if send_id is not None else None)


def tracked_url(click: Click) -> str:
    """A link through us to ``click.url``, so the click is recorded; only signed URLs redirect."""
    token = signing.dumps([click.send_id, click.product_id, click.url], salt=CLICK_SALT, compress=True)
    return settings.SITE_URL + reverse("email-click", args=[token])


def read_click(token: str) -> Click:
    send_id, product_id, url = signing.loads(token, salt=CLICK_SALT)
    return Click(send_id, product_id, str(url))
