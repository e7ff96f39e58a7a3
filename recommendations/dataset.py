"""What the recommender learns from, read from the database: weighted interactions and features.

Interaction weight of a purchase (a sale line or a purchase event, ``customers.ownership``):
``w_purchase · ln(1 + quantity)``, an event without a quantity being one; of another event:
``w_kind`` (``INTERACTION_WEIGHTS``), times ``ln(1 + quantity)`` when it has one.
Each is multiplied by ``2^(−age / half-life)``, age counted back from the last
interaction in the data, and summed per customer and product.

Feedback counts too: "more like this" on a product is a signal of weight
``w_more_like_this`` dated when it was given (no later than the data's last purchase or
event, so feedback on an old history does not age the history); a "not for me" pair is
no positive at all, whatever the customer did with the product before (serving never
offers it either: ``blending.choose``).

User features: ``country:<name>`` and ``interest:<id>`` (current strength, declared
ones included). Item features: ``category:<slug>``, ``root:<slug>``, ``tag:<tag>``
and ``price:<band>`` (quartiles of the catalogue's prices).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.db.models import F

from catalog.models import Product
from customers.models import Customer, CustomerInterest, FeedbackKind, InteractionEvent, InteractionKind
from customers.ownership import Acquisition, acquisitions
from customers.selectors import feedback_given

Features = dict[str, float]


@dataclass(frozen=True)
class Interaction:
    customer_id: int
    product_id: int
    weight: float


class Signal(NamedTuple):
    """One purchase or event with its undecayed weight."""

    customer_id: int
    product_id: int
    weight: float
    moment: datetime


@dataclass(frozen=True)
class History:
    """What the shop knows up to a moment: every weighted signal, and the purchases among them
    (``customers.ownership``) that say what each customer has."""

    signals: list[Signal]
    purchases: list[Acquisition]
    not_for_me: frozenset[tuple[int, int]] = frozenset()  # (customer, product): never a positive

    @property
    def end(self) -> datetime | None:
        return max((signal.moment for signal in self.signals), default=None)

    def before(self, cutoff: datetime) -> History:
        return History(
            [s for s in self.signals if s.moment < cutoff],
            [p for p in self.purchases if p.moment < cutoff],
            self.not_for_me,
        )

    def without(self, pairs: set[tuple[int, int]]) -> History:
        """Without any signal of these (customer, product) pairs."""
        return History(
            [s for s in self.signals if (s.customer_id, s.product_id) not in pairs],
            [p for p in self.purchases if (p.customer_id, p.product_id) not in pairs],
            self.not_for_me,
        )

    def interactions(self) -> list[Interaction]:
        """Every (customer, product) pair but those not for the customer, with its decayed, summed
        weight, age counted back from the last signal."""
        end = self.end
        if end is None:
            return []
        half_life = settings.RECOMMENDER["half_life_days"] * 86_400
        summed: dict[tuple[int, int], float] = defaultdict(float)
        for customer_id, product_id, weight, moment in self.signals:
            if (customer_id, product_id) in self.not_for_me:
                continue
            summed[customer_id, product_id] += weight * 2 ** (-(end - moment).total_seconds() / half_life)
        return [Interaction(c, p, w) for (c, p), w in summed.items() if w > 0]


def history(*, before: datetime | None = None) -> History:
    """Every purchase (sale lines and purchase events alike), every other event, and feedback."""
    weights = settings.INTERACTION_WEIGHTS
    purchases = list(acquisitions(before=before))
    signals = [
        Signal(row.customer_id, row.product_id, weights["purchase"] * math.log1p(row.quantity), row.moment)
        for row in purchases
    ]
    events = InteractionEvent.objects.exclude(kind=InteractionKind.PURCHASE)
    if before is not None:
        events = events.filter(occurred_at__lt=before)
    signals += [
        Signal(customer_id, product_id, weights.get(kind, 1.0) * _quantity_factor(metadata), moment)
        for customer_id, product_id, kind, moment, metadata in events.values_list(
            "customer_id", "product_id", "kind", "occurred_at", "metadata"
        ).iterator(chunk_size=20_000)
    ]
    return _with_feedback(History(signals, purchases), before)


def _with_feedback(data: History, before: datetime | None) -> History:
    """``data`` with the feedback given before ``before``: "more like this" as signals dated no
    later than ``data``'s end, "not for me" as pairs that are never positives."""
    end = data.end
    weight = settings.INTERACTION_WEIGHTS["more_like_this"]
    asked: list[Signal] = []
    not_for_me: set[tuple[int, int]] = set()
    for customer_id, product_id, kind, moment in feedback_given(before=before):
        if kind == FeedbackKind.NOT_FOR_ME:
            not_for_me.add((customer_id, product_id))
        else:
            asked.append(Signal(customer_id, product_id, weight, min(moment, end) if end else moment))
    return History(data.signals + asked, data.purchases, frozenset(not_for_me))


def _quantity_factor(metadata: dict[str, object]) -> float:
    """An imported event with a quantity counts like a purchase line: ``ln(1 + quantity)``."""
    quantity = metadata.get("quantity") if isinstance(metadata, dict) else None
    return math.log1p(quantity) if isinstance(quantity, int) and quantity > 0 else 1.0


def user_features(customer_ids: Iterable[int]) -> dict[int, Features]:
    ids = list(customer_ids)
    countries = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "country"))
    interests: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for pk, interest_id, confidence in (
        CustomerInterest.objects.current()
        .filter(customer_id__in=ids)
        .values_list("customer_id", "interest_id", "confidence")
    ):
        interests[pk].append((interest_id, confidence))
    return {pk: features_of(countries.get(pk, ""), interests[pk]) for pk in ids}


def features_of(country: str, interests: Iterable[tuple[int, float]]) -> Features:
    """One customer's features from its country and its current (interest id, strength) pairs."""
    found: Features = {f"country:{country}": 1.0} if country else {}
    for interest_id, confidence in interests:
        key = f"interest:{interest_id}"
        found[key] = found.get(key, 0.0) + confidence
    return found


def price_bands() -> list[float]:
    """The catalogue's price quartiles: the boundaries of the four ``price:<band>`` features."""
    prices = [float(p) for p in Product.objects.filter(price__gt=0).values_list("price", flat=True)]
    return [float(q) for q in np.quantile(prices, [0.25, 0.5, 0.75])] if prices else []


def item_features(product_ids: Iterable[int], bands: list[float]) -> dict[int, Features]:
    found: dict[int, Features] = {}
    rows = Product.objects.filter(pk__in=list(product_ids)).values_list(
        "pk", "price", "tags", F("category__slug"), F("category__parent__slug")
    )
    for pk, price, tags, category, root in rows:
        features: Features = {f"price:{int(np.searchsorted(bands, float(price)))}": 1.0}
        if category:
            features[f"category:{category}"] = 1.0
        if root:
            features[f"root:{root}"] = 1.0
        for tag in tags or []:
            features[f"tag:{tag}"] = 1.0
        found[pk] = features
    return found
