"""Signals other apps listen to, so recommendations need not know who uses them."""

from __future__ import annotations

from dataclasses import dataclass

from django.dispatch import Signal

# Sent with ``customer_ids`` (a list) after these customers' recommendations were invalidated.
recommendations_changed = Signal()

# Sent with ``channel`` ("email" or "api") and ``shown`` (a list of ``Shown``) when
# recommendations were shown: an email rendered for sending (inside its transaction), an API answer.
recommendations_shown = Signal()


@dataclass(frozen=True)
class Shown:
    customer_id: int
    products: tuple[tuple[int, str], ...]  # (product id, strategy), first shown first
    send_id: int | None = None
