"""What a customer has: the one definition every reader of "bought" uses.

A customer has a product once they bought it, whatever the way it reached us: a sale line
(``Purchase`` of kind sale, with its invoice) or a purchase-kind interaction event (from
``import_interactions`` or the events API, where each event is one order). Views, clicks
and carts are interest, not ownership; returns do not undo a purchase.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, NamedTuple

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from customers.models import InteractionEvent, InteractionKind, Purchase, PurchaseKind

Ids = Iterable[int] | None


class Acquisition(NamedTuple):
    customer_id: int
    product_id: int
    order: str  # what tells one order (basket) of the customer from another: ``order_key``
    quantity: int
    moment: datetime


def sales() -> QuerySet[Purchase]:
    return Purchase.objects.filter(kind=PurchaseKind.SALE)


def purchase_events() -> QuerySet[InteractionEvent]:
    return InteractionEvent.objects.filter(kind=InteractionKind.PURCHASE)


def _within(
    rows: QuerySet[Any],
    moment: str,
    *,
    customer_ids: list[int] | None,
    since: datetime | None = None,
    before: datetime | None = None,
) -> QuerySet[Any]:
    if customer_ids is not None:
        rows = rows.filter(customer_id__in=customer_ids)
    if since is not None:
        rows = rows.filter(**{f"{moment}__gte": since})
    if before is not None:
        rows = rows.filter(**{f"{moment}__lt": before})
    return rows


def _listed(customer_ids: Ids) -> list[int] | None:
    """Each kind of purchase reads the ids: a generator would be spent by the first."""
    return None if customer_ids is None else list(customer_ids)


def acquisitions(
    *, customer_ids: Ids = None, since: datetime | None = None, before: datetime | None = None
) -> Iterator[Acquisition]:
    """Every purchase, sale lines first; an event without a quantity counts one."""
    ids = _listed(customer_ids)
    lines = _within(sales(), "purchased_at", customer_ids=ids, since=since, before=before).values_list(
        "customer_id", "product_id", "invoice", "quantity", "purchased_at"
    )
    for customer_id, product_id, invoice, quantity, moment in lines.iterator(chunk_size=20_000):
        yield Acquisition(customer_id, product_id, order_key(invoice, moment), quantity, moment)
    events = _within(
        purchase_events(), "occurred_at", customer_ids=ids, since=since, before=before
    ).values_list("customer_id", "product_id", "metadata", "occurred_at")
    for customer_id, product_id, metadata, moment in events.iterator(chunk_size=20_000):
        quantity = metadata.get("quantity") if isinstance(metadata, dict) else None
        quantity = quantity if isinstance(quantity, int) and quantity > 0 else 1
        yield Acquisition(customer_id, product_id, order_key("", moment), quantity, moment)


def order_key(invoice: str, moment: datetime) -> str:
    """A sale's invoice; without one (an event, a sale line sent without an invoice), the moment:
    what one customer bought at one moment came on one order."""
    return f"invoice:{invoice}" if invoice else f"at:{moment.isoformat()}"


OrderMoments = dict[int, list[datetime]]  # product → when each distinct order it came on was made


def order_moments_of(rows: Iterable[Acquisition]) -> dict[int, OrderMoments]:
    """Per customer, each product it has with the moment of each distinct order it came on."""
    first: dict[tuple[int, int, str], datetime] = {}
    for row in rows:
        key = (row.customer_id, row.product_id, row.order)
        if key not in first or row.moment < first[key]:
            first[key] = row.moment
    found: dict[int, OrderMoments] = defaultdict(lambda: defaultdict(list))
    for (customer_id, product_id, _), moment in first.items():
        found[customer_id][product_id].append(moment)
    return {customer: dict(products) for customer, products in found.items()}


def last_moments_of(rows: Iterable[Acquisition]) -> dict[tuple[int, int], datetime]:
    """When each customer last bought each product it has, from ``rows``."""
    last: dict[tuple[int, int], datetime] = {}
    for row in rows:
        pair = (row.customer_id, row.product_id)
        if pair not in last or row.moment > last[pair]:
            last[pair] = row.moment
    return last


def order_counts(moments: OrderMoments) -> Counter[int]:
    """Each product with the number of distinct orders it came on."""
    return Counter({product: len(orders) for product, orders in moments.items()})


def orders_of(rows: Iterable[Acquisition]) -> dict[int, Counter[int]]:
    """Per customer, each product it has with the number of distinct orders it came on."""
    return {customer: order_counts(products) for customer, products in order_moments_of(rows).items()}


def last_purchase_moments(*, customer_ids: Ids = None) -> dict[tuple[int, int], datetime]:
    """When each customer last bought each product it has."""
    ids = _listed(customer_ids)
    found: dict[tuple[int, int], datetime] = {}
    for rows, moment in ((sales(), "purchased_at"), (purchase_events(), "occurred_at")):
        latest = (
            _within(rows, moment, customer_ids=ids)
            .values("customer_id", "product_id")
            .annotate(last=Max(moment))
            .values_list("customer_id", "product_id", "last")
        )
        for customer_id, product_id, last in latest.iterator(chunk_size=20_000):
            key = (customer_id, product_id)
            found[key] = max(found.get(key, last), last)
    return found


def last_activity() -> datetime | None:
    """The moment of the latest purchase of any kind."""
    moments = [
        sales().aggregate(last=Max("purchased_at"))["last"],
        purchase_events().aggregate(last=Max("occurred_at"))["last"],
    ]
    return max((moment for moment in moments if moment is not None), default=None)


def bought(
    customer: Any = None,
    *,
    product: Q | None = None,
    since: datetime | None = None,
) -> Q:
    """A filter on customers (``customer`` is their primary key expression, ``OuterRef("pk")``
    by default): those who bought, since ``since`` when given, a product matching ``product``
    (a ``Q`` on ``Product`` fields)."""
    customer = OuterRef("pk") if customer is None else customer
    found = Q()
    for rows, moment in ((sales(), "purchased_at"), (purchase_events(), "occurred_at")):
        rows = rows.filter(customer_id=customer)
        if product is not None:
            rows = rows.filter(product__in=_products_matching(product))
        if since is not None:
            rows = rows.filter(**{f"{moment}__gte": since})
        found |= Q(Exists(rows))
    return found


def _products_matching(product: Q) -> QuerySet[Any]:
    from catalog.models import Product

    return Product.objects.filter(product).values("pk")
