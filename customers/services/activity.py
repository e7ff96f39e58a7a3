"""Recording what customers did: purchases and interaction events, idempotently."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone

from customers.models import Customer, InteractionEvent, Purchase, PurchaseKind
from customers.tasks import recompute_customer_interests
from graph.models import GraphEntity
from graph.services.sync import graph_changes_record
from marketing_platform.bulk import WriteCounts, insert_missing
from marketing_platform.transactions import after_commit
from recommendations.cache import recommendations_invalidate


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

    With ``recompute_interests``, customers who got new sales are marked stale
    in the same transaction and a task recomputes them after commit; if the
    broker cannot take the task, the periodic drain of stale customers does it
    later, so no recompute is lost. Bulk imports pass ``False`` and recompute
    everyone in one pass at the end. The buyers' graph nodes are noted in the
    same transaction.
    """
    with transaction.atomic():
        counts, created = insert_missing(Purchase, purchases)
        buyers = sorted({row.customer_id for row in created})
        graph_changes_record(GraphEntity.CUSTOMER, buyers)
        if buyers:  # their cached recommendations are stale once this commits
            after_commit(recommendations_invalidate, buyers)
    if recompute_interests:
        customer_ids = sorted({row.customer_id for row in created if row.kind == PurchaseKind.SALE})
        Customer.objects.filter(pk__in=customer_ids).update(interests_stale_at=timezone.now())
        if customer_ids:
            after_commit(_queue_recomputes, customer_ids)
    return counts


def _queue_recomputes(customer_ids: list[int]) -> None:
    """One task per customer; the first the broker refuses stops the rest (the drain of stale
    customers takes them all) instead of each waiting on a broker that is down."""
    for customer_id in customer_ids:
        recompute_customer_interests.delay(customer_id)


def events_record(events: Sequence[EventRow]) -> WriteCounts:
    """Store interaction events whose ``(source, external_id)`` is new."""
    counts, _ = insert_missing(InteractionEvent, events)
    return counts
