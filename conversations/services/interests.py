"""Interests inferred from what customers write: the categories their messages name
(``conversations.mentions``), weighed as purchases are (``inferred_confidences``: one mention
counts as one line of one item, recent ones more), with the messages and words as evidence."""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max, Sum

from catalog.models import Product
from conversations.mentions import CatalogueEntry, Mentions
from conversations.models import Message
from customers.models import Interest
from customers.services.interests import InterestValue, inferred_confidences

EVIDENCE_MESSAGES = 5  # the latest messages named in an interest's evidence

_lock = threading.Lock()
_built: dict[tuple[object, ...], Mentions] = {}


def message_interests(customer_ids: list[int]) -> dict[int, list[InterestValue]]:
    """Each customer's interests from the categories their messages name."""
    mentions = catalogue_mentions()
    lines: dict[int, list[tuple[int, int, datetime]]] = {pk: [] for pk in customer_ids}
    said: dict[tuple[int, int], list[dict[str, object]]] = defaultdict(list)
    messages = Message.objects.filter(customer_id__in=customer_ids).order_by("-sent_at", "-pk")
    for pk, customer_id, text, sent_at in messages.values_list("pk", "customer_id", "text", "sent_at"):
        for interest_id, words in mentions.found(text).items():
            lines[customer_id].append((interest_id, 1, sent_at))
            said[customer_id, interest_id].append({"id": pk, "sent_at": sent_at.isoformat(), "words": words})
    half_life = settings.INTEREST_RECENCY_HALF_LIFE_DAYS
    return {
        customer_id: [
            InterestValue(
                interest_id=value.interest_id,
                confidence=value.confidence,
                evidence={
                    "mentions": len(said[customer_id, value.interest_id]),
                    "messages": said[customer_id, value.interest_id][:EVIDENCE_MESSAGES],
                },
            )
            for value in inferred_confidences(rows, half_life_days=half_life).values()
        ]
        for customer_id, rows in lines.items()
    }


def catalogue_mentions() -> Mentions:
    """The words naming each interest's category, built once per process until the catalogue's
    products or interests change."""
    products = Product.objects.aggregate(count=Count("pk"), total=Sum("pk"), edited=Max("updated_at"))
    interests = tuple(Interest.objects.values_list("pk", "product_category_id", "product_category__name"))
    key = (products["count"], products["total"], products["edited"], interests)
    with _lock:
        if key not in _built:
            categories = [(pk, category_id, name) for pk, category_id, name in interests if category_id]
            interest_of = {category_id: pk for pk, category_id, _ in categories}
            named = Product.objects.filter(category_id__in=list(interest_of)).values_list(
                "category_id", "name"
            )
            _built.clear()
            _built[key] = Mentions.of(
                [
                    *(CatalogueEntry(pk, name, is_category=True) for pk, _, name in categories),
                    *(CatalogueEntry(interest_of[category_id], name) for category_id, name in named),
                ]
            )
        return _built[key]
