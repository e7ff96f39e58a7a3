"""Recording what customers did: purchases and interaction events, idempotently."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any, NamedTuple

from django.db import transaction

from customers.models import InteractionEvent, Purchase, PurchaseKind
from customers.tasks import recompute_customer_interests
from marketing_platform.bulk import WriteCounts, insert_missing


class PurchaseRow(NamedTuple):
    """One purchase line as the services take it (field names are the table's columns)."""

    source: str
    external_id: str
    invoice: str
    kind: str
    customer_id: int
    product_id: int
    quantity: int
    unit_price: Decimal
    amount: Decimal
    currency: str
    purchased_at: datetime
    metadata: dict[str, Any]


class EventRow(NamedTuple):
    source: str
    external_id: str
    customer_id: int
    product_id: int
    kind: str
    occurred_at: datetime
    metadata: dict[str, Any]


def purchases_record(purchases: Sequence[PurchaseRow], *, recompute_interests: bool = True) -> WriteCounts:
    """Store purchases whose ``(source, external_id)`` is new; count the rest as duplicates.

    With ``recompute_interests``, customers who got new sales have their inferred
    interests recomputed by a task once the transaction commits. Bulk imports
    pass ``False`` and recompute everyone in one pass at the end.
    """
    counts, created = insert_missing(Purchase, purchases)
    if recompute_interests:
        for customer_id in sorted({row.customer_id for row in created if row.kind == PurchaseKind.SALE}):
            transaction.on_commit(partial(recompute_customer_interests.delay, customer_id))
    return counts


def events_record(events: Sequence[EventRow]) -> WriteCounts:
    """Store interaction events whose ``(source, external_id)`` is new."""
    counts, _ = insert_missing(InteractionEvent, events)
    return counts
