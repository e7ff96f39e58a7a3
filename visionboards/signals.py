"""Boards follow recommendations: a change schedules a (debounced) re-render."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from recommendations.signals import recommendations_changed
from visionboards.services import vision_boards_refresh_later


@receiver(recommendations_changed, dispatch_uid="vision-boards-follow-recommendations")
def refresh_boards(sender: Any, customer_ids: list[int], **kwargs: Any) -> None:
    vision_boards_refresh_later(customer_ids)
