"""Recording what customers did: purchases and interaction events, idempotently."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone

from analytics.services.changes import aggregate_changes_record
from customers.models import Customer, InteractionEvent, InteractionKind, Purchase, PurchaseKind
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

    Every customer with new lines has its graph node noted and its cached recommendations
    dropped; those with new sales get their interests recomputed (``_follow``).
    """
    with transaction.atomic():
        counts, created = insert_missing(Purchase, purchases)
        customers = {row.customer_id for row in created}
        sales = {row.customer_id for row in created if row.kind == PurchaseKind.SALE}
        aggregate_changes_record(moments=[row.purchased_at for row in created], customer_ids=customers)
        _follow(
            graph=customers, recommendations=customers, buyers=sales, recompute_interests=recompute_interests
        )
    return counts


def events_record(events: Sequence[EventRow], *, recompute_interests: bool = True) -> WriteCounts:
    """Store interaction events whose ``(source, external_id)`` is new.

    Any new event changes what recommendations know of its customer; a purchase event is
    also a purchase (``customers.ownership``), so it reaches the graph and the interests as a
    sale does (``_follow``).
    """
    with transaction.atomic():
        counts, created = insert_missing(InteractionEvent, events)
        buyers = {row.customer_id for row in created if row.kind == InteractionKind.PURCHASE}
        aggregate_changes_record(moments=[row.occurred_at for row in created], customer_ids=buyers)
        _follow(
            graph=buyers,
            recommendations={row.customer_id for row in created},
            buyers=buyers,
            recompute_interests=recompute_interests,
        )
    return counts


def _follow(
    *, graph: set[int], recommendations: set[int], buyers: set[int], recompute_interests: bool
) -> None:
    """What new rows set off, in the writer's transaction: the ``graph`` customers' nodes noted
    in the outbox; the ``recommendations`` customers' cached ones dropped after commit; with
    ``recompute_interests``, the ``buyers`` marked stale and their interests recomputed after
    commit. If the broker cannot take that task, the periodic drain of stale customers does it
    later, so no recompute is lost. Bulk imports pass ``False`` and recompute everyone in one
    pass at the end."""
    graph_changes_record(GraphEntity.CUSTOMER, graph)
    if recommendations:
        after_commit(recommendations_invalidate, sorted(recommendations))
    if recompute_interests:
        interests_refresh_later(buyers)


def interests_refresh_later(customer_ids: Collection[int]) -> None:
    """After a change that inferred interests read (purchases, messages): the customers marked
    stale in the writer's transaction, their recomputes queued after commit."""
    if customer_ids:
        stale = sorted(customer_ids)
        Customer.objects.filter(pk__in=stale).update(interests_stale_at=timezone.now())
        after_commit(_queue_recomputes, stale)


def _queue_recomputes(customer_ids: list[int]) -> None:
    """One task per customer; the first the broker refuses stops the rest (the drain of stale
    customers takes them all) instead of each waiting on a broker that is down."""
    for customer_id in customer_ids:
        recompute_customer_interests.delay(customer_id)
