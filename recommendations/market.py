"""Shop-wide figures from purchases as of a moment: what sells, and what people buy again.

Computed from ``customers.ownership.acquisitions`` rows, so sale lines and purchase events
count alike, and from any subset of them (an evaluation's training period or training pairs).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from customers.ownership import Acquisition

# A product's share of repeat buyers means something from this many buyers on.
REPURCHASE_MIN_BUYERS = 5


@dataclass(frozen=True)
class Market:
    """Distinct buyers per product over a window that ends with the last purchase, and, per
    product with enough buyers, the share of them who bought it on more than one order."""

    popularity: Mapping[int, int]
    repeat_share: Mapping[int, float]
    end: datetime | None = None

    def repurchase_kinds(self, share: float) -> set[int]:
        return {pk for pk, repeat in self.repeat_share.items() if repeat >= share}

    def bestsellers(self, count: int) -> list[int]:
        return sorted(self.popularity, key=lambda pk: (-self.popularity[pk], pk))[:count]


def market_of(rows: Sequence[Acquisition], popular_days: int | None) -> Market:
    """The figures of ``rows``; popularity over the ``popular_days`` up to the last of them
    (all of them when None)."""
    if not rows:
        return Market({}, {})
    end = max(row.moment for row in rows)
    since = end - timedelta(days=popular_days) if popular_days else None
    buyers: dict[int, set[int]] = defaultdict(set)
    orders: dict[tuple[int, int], set[str]] = defaultdict(set)
    for row in rows:
        if since is None or row.moment >= since:
            buyers[row.product_id].add(row.customer_id)
        orders[row.customer_id, row.product_id].add(row.order)
    customers: Counter[int] = Counter()
    again: Counter[int] = Counter()
    for (_, product_id), keys in orders.items():
        customers[product_id] += 1
        again[product_id] += len(keys) > 1
    return Market(
        popularity={pk: len(who) for pk, who in buyers.items()},
        repeat_share={
            pk: again[pk] / count for pk, count in customers.items() if count >= REPURCHASE_MIN_BUYERS
        },
        end=end,
    )
