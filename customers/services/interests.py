"""Interest taxonomy and customer interests, written as history (never overwritten)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Category, Product
from customers.models import (
    Customer,
    CustomerInterest,
    Interest,
    InterestSource,
    InterestTopic,
)
from customers.ownership import acquisitions
from customers.services.customers import customer_lock
from graph.models import GraphEntity
from graph.services.sync import graph_changes_record
from marketing_platform.bulk import WriteCounts, chunked
from marketing_platform.transactions import after_commit
from recommendations.cache import recommendations_invalidate

# Confidences are compared at this precision: a recompute that moves a value by
# less than this writes no new history row.
CONFIDENCE_DECIMALS = 3
MIN_INFERRED_CONFIDENCE = 0.01
CUSTOMERS_PER_RECOMPUTE_BATCH = 500


@dataclass(frozen=True)
class InterestValue:
    interest_id: int
    confidence: float
    evidence: Mapping[str, Any] = field(default_factory=dict)


@transaction.atomic
def interest_taxonomy_sync_from_catalog() -> dict[int, int]:
    """Give every leaf product category an interest (topic = its root); return category → interest id."""
    mapping: dict[int, int] = {}
    leaves = Category.objects.filter(parent__isnull=False).select_related("parent")
    for leaf in leaves:
        root = cast(Category, leaf.parent)
        topic, _ = InterestTopic.objects.get_or_create(slug=root.slug, defaults={"name": root.name})
        interest, _ = Interest.objects.get_or_create(
            product_category=leaf, defaults={"topic": topic, "name": leaf.name, "slug": leaf.slug}
        )
        mapping[leaf.pk] = interest.pk
    return mapping


def customer_interests_apply(
    *,
    source: InterestSource,
    values_by_customer: Mapping[int, Sequence[InterestValue]],
    replace: bool,
) -> WriteCounts:
    """Make the given values current for each customer, keeping every earlier value as history.

    A changed value closes the current row (``valid_to = now``) and adds a new
    one; an equal value writes nothing. With ``replace``, current interests of
    this source that are absent from a customer's values are closed too.
    Returns rows created and values that were already current.
    """
    with transaction.atomic():
        # Serialise writers per customer (in a fixed order, against deadlocks):
        # row locks on interests alone miss the case where no current row exists yet.
        list(
            Customer.objects.filter(pk__in=list(values_by_customer))
            .select_for_update()
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        now = timezone.now()
        current = (
            CustomerInterest.objects.current()
            .filter(customer_id__in=list(values_by_customer), source=source)
            .select_for_update()
            .order_by("pk")
        )
        current_by_key = {(row.customer_id, row.interest_id): row for row in current}
        to_close: list[int] = []
        to_create: list[CustomerInterest] = []
        unchanged = 0
        for customer_id, values in values_by_customer.items():
            wanted = {value.interest_id: value for value in values}
            for interest_id, value in wanted.items():
                confidence = round(value.confidence, CONFIDENCE_DECIMALS)
                row = current_by_key.get((customer_id, interest_id))
                if row is not None and round(row.confidence, CONFIDENCE_DECIMALS) == confidence:
                    unchanged += 1
                    continue
                if row is not None:
                    to_close.append(row.pk)
                to_create.append(
                    CustomerInterest(
                        customer_id=customer_id,
                        interest_id=interest_id,
                        source=source,
                        confidence=confidence,
                        evidence=dict(value.evidence),
                        valid_from=now,
                    )
                )
            if replace:
                to_close.extend(
                    row.pk
                    for (row_customer, interest_id), row in current_by_key.items()
                    if row_customer == customer_id and interest_id not in wanted
                )
        # Close first: the partial unique constraint allows one current row per key.
        for chunk in chunked(to_close, 900):
            CustomerInterest.objects.filter(pk__in=chunk).update(valid_to=now)
        CustomerInterest.objects.bulk_create(to_create, batch_size=2000)
        closed = set(to_close)
        changed = {row.customer_id for row in to_create}
        changed |= {row.customer_id for row in current_by_key.values() if row.pk in closed}
        graph_changes_record(GraphEntity.CUSTOMER, changed)
    return WriteCounts(created=len(to_create), duplicate=unchanged)


DECLARED_CONFIDENCE = 1.0  # what the customer says of itself needs no evidence


def customer_declared_interests_set(*, customer_id: int, interest_ids: Collection[int]) -> bool:
    """Make these the customer's declared interests (the preference centre): the others it had
    declared are closed, every earlier version kept as history. Returns whether anything
    changed; a change drops its cached recommendations after commit (and so re-renders its
    vision board)."""
    wanted = dict.fromkeys(interest_ids, DECLARED_CONFIDENCE)
    with transaction.atomic():
        customer_lock(customer_id)
        stood = dict(
            CustomerInterest.objects.current()
            .filter(customer_id=customer_id, source=InterestSource.DECLARED)
            .values_list("interest_id", "confidence")
        )
        if stood == wanted:
            return False
        customer_interests_apply(
            source=InterestSource.DECLARED,
            values_by_customer={
                customer_id: [InterestValue(pk, confidence) for pk, confidence in wanted.items()]
            },
            replace=True,
        )
        after_commit(recommendations_invalidate, [customer_id])
    return True


def inferred_confidences(
    lines: Iterable[tuple[int, int, datetime]], *, half_life_days: float
) -> dict[int, InterestValue]:
    """Category interests of one customer from their purchases ``(interest, quantity, when)``.

    Each line weighs ``log(1 + quantity) · 2^(-age / half_life)``, its age taken
    from the customer's latest purchase, so bulk orders do not drown everything
    else and recent taste counts more. An interest's confidence is its share of
    the customer's total weight, damped by how much evidence backs it:
    ``share · (1 − e^(−lines / 3))`` (one line gives at most 0.28, five 0.81).
    """
    rows = list(lines)
    if not rows:
        return {}
    latest = max(when for _, _, when in rows)
    weight: dict[int, float] = defaultdict(float)
    count: dict[int, int] = defaultdict(int)
    quantity: dict[int, int] = defaultdict(int)
    last_seen: dict[int, datetime] = {}
    for interest_id, qty, when in rows:
        age_days = (latest - when).total_seconds() / 86400
        weight[interest_id] += math.log1p(qty) * 0.5 ** (age_days / half_life_days)
        count[interest_id] += 1
        quantity[interest_id] += qty
        last_seen[interest_id] = max(when, last_seen.get(interest_id, when))
    total = sum(weight.values())
    values = {}
    for interest_id, interest_weight in weight.items():
        confidence = interest_weight / total * (1 - math.exp(-count[interest_id] / 3))
        if confidence >= MIN_INFERRED_CONFIDENCE:
            values[interest_id] = InterestValue(
                interest_id=interest_id,
                confidence=confidence,
                evidence={
                    "lines": count[interest_id],
                    "quantity": quantity[interest_id],
                    "last_purchase": last_seen[interest_id].isoformat(),
                },
            )
    return values


# Infers one source's interests for a list of customers: an entry for each of them (an empty
# one closes what that source said before).
InterestInference = Callable[[list[int]], Mapping[int, Sequence[InterestValue]]]
_inferences: dict[InterestSource, InterestInference] = {}


def interest_inference_register(source: InterestSource, infer: InterestInference) -> None:
    """Have ``interests_recompute`` infer ``source``'s interests with ``infer`` (apps that know
    another source, such as messages, register theirs when they start)."""
    _inferences[source] = infer


def interests_recompute(customer_ids: Sequence[int]) -> WriteCounts:
    """Recompute the inferred interests (every registered source) of the given customers.

    Clears each customer's stale mark, unless a purchase or a message marked it again
    after this recompute started (that change's own recompute follows).
    """
    totals = WriteCounts()
    for chunk in chunked(list(customer_ids), CUSTOMERS_PER_RECOMPUTE_BATCH):
        started = timezone.now()
        for source, infer in _inferences.items():
            totals += customer_interests_apply(source=source, values_by_customer=infer(chunk), replace=True)
        Customer.objects.filter(pk__in=chunk, interests_stale_at__lte=started).update(interests_stale_at=None)
    return totals


def purchase_interests(customer_ids: list[int]) -> dict[int, list[InterestValue]]:
    """Each customer's interests from what they bought (``inferred_confidences``)."""
    half_life = settings.INTEREST_RECENCY_HALF_LIFE_DAYS
    return {
        customer_id: list(inferred_confidences(lines, half_life_days=half_life).values())
        for customer_id, lines in _interest_lines(customer_ids).items()
    }


interest_inference_register(InterestSource.PURCHASES, purchase_interests)


def _interest_lines(customer_ids: list[int]) -> dict[int, list[tuple[int, int, datetime]]]:
    """Each customer's purchases (``customers.ownership``: sale lines and purchase events) of
    products whose category is an interest, as ``(interest, quantity, when)``."""
    bought = list(acquisitions(customer_ids=customer_ids))
    interest_of = dict(
        Product.objects.filter(
            pk__in={row.product_id for row in bought}, category__interest__isnull=False
        ).values_list("pk", "category__interest")
    )
    lines: dict[int, list[tuple[int, int, datetime]]] = {pk: [] for pk in customer_ids}
    for row in bought:
        if row.product_id in interest_of:
            lines[row.customer_id].append((interest_of[row.product_id], row.quantity, row.moment))
    return lines


def stale_interests_recompute(*, limit: int = 5000) -> int:
    """Recompute customers whose purchases or messages changed without a recompute yet; return
    how many."""
    customer_ids = list(
        Customer.objects.filter(interests_stale_at__isnull=False)
        .order_by("interests_stale_at")
        .values_list("pk", flat=True)[:limit]
    )
    interests_recompute(customer_ids)
    return len(customer_ids)
