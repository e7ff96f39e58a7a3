"""Inbound mail arrives through anymail's views (``/webhooks/anymail/<esp>/inbound/``)."""

from __future__ import annotations

from typing import Any

from anymail.signals import AnymailInboundEvent, inbound
from django.dispatch import receiver

from conversations.services.inbound import inbound_email_record


@receiver(inbound)
def record_inbound_email(sender: Any, event: AnymailInboundEvent, esp_name: str, **kwargs: Any) -> None:
    if event.message is not None:
        inbound_email_record(event.message)
