"""The graph as PostgreSQL says it should be: node and edge rows projected from the source of truth.

Sync, rebuild, verify and repair all read through these, so there is one
definition of what each node and edge holds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Sum

from campaigns.models import Campaign
from catalog.models import Category, Product
from conversations.models import Intent, Message
from customers.models import Customer, CustomerInterest, Interest, Purchase, PurchaseKind
from customers.ownership import acquisitions, orders_of
from graph.schema import (
    ABOUT,
    BELONGS_TO,
    CAMPAIGN,
    CATEGORY,
    CUSTOMER,
    HAS_INTENT,
    INTENT,
    INTEREST,
    INTERESTED_IN,
    MESSAGE,
    PRODUCT,
    PURCHASED,
    SENT,
    EdgeType,
    NodeType,
)

Props = dict[str, Any]
Ids = list[int] | None  # None: all of them


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(value: Decimal | None) -> float:
    return round(float(value or 0), 3)


def _only(rows: QuerySet[Any], field: str, ids: Ids) -> QuerySet[Any]:
    return rows if ids is None else rows.filter(**{f"{field}__in": ids})


def customer_nodes(ids: Ids) -> list[Props]:
    rows = _only(Customer.objects.order_by("pk"), "pk", ids)
    return list(rows.values("id", "external_id", "name", "country"))


def product_nodes(ids: Ids) -> list[Props]:
    rows = _only(Product.objects.order_by("pk"), "pk", ids)
    return [
        {**row, "price": money(row["price"])} for row in rows.values("id", "sku", "name", "price", "active")
    ]


def category_nodes(ids: Ids) -> list[Props]:
    return list(_only(Category.objects.order_by("pk"), "pk", ids).values("id", "slug", "name"))


def interest_nodes(ids: Ids) -> list[Props]:
    rows = _only(Interest.objects.order_by("pk"), "pk", ids).values(
        "id",
        "slug",
        "name",
        topic_slug=F("topic__slug"),
        topic_name=F("topic__name"),
        category_id=F("product_category_id"),
    )
    return [
        {"id": r["id"], "slug": f"{r['topic_slug']}/{r['slug']}", "name": r["name"], "topic": r["topic_name"],
         "category_id": r["category_id"]}
        for r in rows
    ]  # fmt: skip


def purchased_edges(customer_ids: Ids) -> list[Props]:
    """One edge per customer and product it has (``customers.ownership``: sale lines and purchase
    events): its orders, quantity (returns subtracted) and first and last purchase; the amount is
    its sale and return lines' (events carry no money)."""
    bought = list(acquisitions(customer_ids=customer_ids))
    orders = orders_of(bought)
    edges: dict[tuple[int, int], Props] = {}
    for row in bought:
        edge = edges.setdefault(
            (row.customer_id, row.product_id),
            {"quantity": 0, "amount": None, "first": row.moment, "last": row.moment},
        )
        edge["quantity"] += row.quantity
        edge["first"], edge["last"] = min(edge["first"], row.moment), max(edge["last"], row.moment)
    lines = (
        _only(Purchase.objects.all(), "customer_id", customer_ids)
        .values("customer_id", "product_id")
        .annotate(
            returned=Sum("quantity", filter=Q(kind=PurchaseKind.RETURN), default=0), amount=Sum("amount")
        )
        .values_list("customer_id", "product_id", "returned", "amount")
    )
    for customer_id, product_id, returned, amount in lines.iterator(chunk_size=10_000):
        had = edges.get((customer_id, product_id))
        if had is not None:  # a product only ever returned is not had
            had["quantity"] += returned
            had["amount"] = amount
    return [
        {
            "from_id": customer_id,
            "to_id": product_id,
            "times": orders[customer_id][product_id],
            "quantity": edge["quantity"],
            "amount": money(edge["amount"]),
            "first_purchase": iso(edge["first"]),
            "last_purchase": iso(edge["last"]),
        }
        for (customer_id, product_id), edge in sorted(edges.items())
    ]


def interested_in_edges(customer_ids: Ids) -> list[Props]:
    """The customer's current interests, one edge per interest and source."""
    rows = _only(CustomerInterest.objects.current(), "customer_id", customer_ids).order_by(
        "customer_id", "pk"
    )
    return [
        {"from_id": customer_id, "to_id": interest_id, "strength": round(confidence, 6), "source": source}
        for customer_id, interest_id, confidence, source in rows.values_list(
            "customer_id", "interest_id", "confidence", "source"
        )
    ]


def belongs_to_edges(product_ids: Ids) -> list[Props]:
    rows = _only(Product.objects.filter(category__isnull=False).order_by("pk"), "pk", product_ids)
    return [
        {"from_id": pk, "to_id": category_id} for pk, category_id in rows.values_list("pk", "category_id")
    ]


def campaign_nodes(ids: Ids) -> list[Props]:
    return list(_only(Campaign.objects.order_by("pk"), "pk", ids).values("id", "name"))


def intent_nodes(ids: Ids) -> list[Props]:
    return list(_only(Intent.objects.order_by("pk"), "pk", ids).values("id", "slug", "name"))


def _messages(message_ids: Ids) -> QuerySet[Message]:
    return _only(Message.objects.order_by("pk"), "pk", message_ids)


def message_nodes(ids: Ids) -> list[Props]:
    """A message's when, how and in which language: never what it says (``graph.schema``)."""
    rows = _messages(ids).values_list("id", "channel", "sent_at", "language")
    return [
        {"id": pk, "channel": channel, "sent_at": iso(sent_at), "language": language}
        for pk, channel, sent_at, language in rows.iterator(chunk_size=10_000)
    ]


def sent_edges(message_ids: Ids) -> list[Props]:
    rows = _messages(message_ids).values_list("pk", "customer_id")
    return [{"from_id": customer_id, "to_id": pk} for pk, customer_id in rows.iterator(chunk_size=10_000)]


def about_edges(message_ids: Ids) -> list[Props]:
    rows = _messages(message_ids).filter(campaign__isnull=False).values_list("pk", "campaign_id")
    return [{"from_id": pk, "to_id": campaign_id} for pk, campaign_id in rows.iterator(chunk_size=10_000)]


def has_intent_edges(message_ids: Ids) -> list[Props]:
    """The message's one intent, if it has one: how sure and who said so (classifier or staff)."""
    rows = _messages(message_ids).filter(intent__isnull=False)
    return [
        {"from_id": pk, "to_id": intent_id, "confidence": confidence, "by": by}
        for pk, intent_id, confidence, by in rows.values_list(
            "pk", "intent_id", "intent_confidence", "intent_by"
        ).iterator(chunk_size=10_000)
    ]


# What each projected kind is read from, by node label or edge type (edges by their owners' ids).
NODE_SOURCES: dict[str, tuple[NodeType, Callable[[Ids], list[Props]]]] = {
    CUSTOMER.label: (CUSTOMER, customer_nodes),
    PRODUCT.label: (PRODUCT, product_nodes),
    CATEGORY.label: (CATEGORY, category_nodes),
    INTEREST.label: (INTEREST, interest_nodes),
    CAMPAIGN.label: (CAMPAIGN, campaign_nodes),
    INTENT.label: (INTENT, intent_nodes),
    MESSAGE.label: (MESSAGE, message_nodes),
}
EDGE_SOURCES: dict[str, tuple[EdgeType, Callable[[Ids], list[Props]]]] = {
    PURCHASED.type: (PURCHASED, purchased_edges),
    INTERESTED_IN.type: (INTERESTED_IN, interested_in_edges),
    BELONGS_TO.type: (BELONGS_TO, belongs_to_edges),
    SENT.type: (SENT, sent_edges),
    ABOUT.type: (ABOUT, about_edges),
    HAS_INTENT.type: (HAS_INTENT, has_intent_edges),
}
