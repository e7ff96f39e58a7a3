"""ESP webhooks arrive through anymail's views (``/webhooks/anymail/<esp>/tracking/``)."""

from __future__ import annotations

from typing import Any

from anymail.signals import AnymailTrackingEvent, tracking
from django.dispatch import receiver

from campaigns.services.tracking import tracking_event_record


@receiver(tracking)
def record_tracking_event(sender: Any, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any) -> None:
    tracking_event_record(event)
