"""Shop-wide figures from purchases as of a moment: what sells, what people buy again, who
buys like whom (``neighbours.py``) and what goes with what (``companions.py``).

Computed from ``customers.ownership.acquisitions`` rows, so sale lines and purchase events
count alike, and from any subset of them (an evaluation's training period or training pairs).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from customers.ownership import Acquisition
from recommendations.companions import Companions, companions_of
from recommendations.neighbours import Neighbourhood, neighbourhood_of

# A product's share of repeat buyers means something from this many buyers on.
REPURCHASE_MIN_BUYERS = 5
# Trending compares the last window with the one before it: these many days when popularity
# counts all time, and at least this many buyers in the last one.
TRENDING_DAYS = 28
TRENDING_MIN_BUYERS = 3


@dataclass(frozen=True)
class Market:
    """Distinct buyers per product over a window that ends with the last purchase (``popularity``)
    and over the window of the same length before it (``previous``, for trends), and, per
    product with enough buyers, the share of them who bought it on more than one order."""

    popularity: Mapping[int, int]
    repeat_share: Mapping[int, float]
    end: datetime | None = None
    recent: Mapping[int, int] = field(default_factory=dict)
    previous: Mapping[int, int] = field(default_factory=dict)
    trend_days: int = TRENDING_DAYS
    neighbours: Neighbourhood | None = None
    companions: Companions | None = None

    def repurchase_kinds(self, share: float) -> set[int]:
        return {pk for pk, repeat in self.repeat_share.items() if repeat >= share}

    def bestsellers(self, count: int) -> list[int]:
        return self._bestsellers[:count]

    def trending(self, count: int) -> list[int]:
        return self._trending[:count]

    @cached_property
    def _bestsellers(self) -> list[int]:
        """Every product sold in the window, most buyers first: sorted once per market."""
        return sorted(self.popularity, key=lambda pk: (-self.popularity[pk], pk))

    @cached_property
    def _trending(self) -> list[int]:
        """Products whose buyers grew most from the previous window to the last, growth measured
        against its own noise: ``(now − before) / √(before + 1)``."""
        growth = {
            pk: (now - self.previous.get(pk, 0)) / math.sqrt(self.previous.get(pk, 0) + 1)
            for pk, now in self.recent.items()
            if now >= TRENDING_MIN_BUYERS and now > self.previous.get(pk, 0)
        }
        return sorted(growth, key=lambda pk: (-growth[pk], pk))


def market_of(rows: Sequence[Acquisition], popular_days: int | None) -> Market:
    """The figures of ``rows``; popularity over the ``popular_days`` up to the last of them
    (all of them when None), which are also the half-life of the neighbours' purchases."""
    if not rows:
        return Market({}, {})
    end = max(row.moment for row in rows)
    since = end - timedelta(days=popular_days) if popular_days else None
    trend_days = popular_days or TRENDING_DAYS
    recent_since, previous_since = end - timedelta(days=trend_days), end - timedelta(days=2 * trend_days)
    buyers: dict[int, set[int]] = defaultdict(set)
    recent: dict[int, set[int]] = defaultdict(set)
    previous: dict[int, set[int]] = defaultdict(set)
    orders: dict[tuple[int, int], set[str]] = defaultdict(set)
    for row in rows:
        if since is None or row.moment >= since:
            buyers[row.product_id].add(row.customer_id)
        if row.moment >= recent_since:
            recent[row.product_id].add(row.customer_id)
        elif row.moment >= previous_since:
            previous[row.product_id].add(row.customer_id)
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
        recent={pk: len(who) for pk, who in recent.items()},
        previous={pk: len(who) for pk, who in previous.items()},
        trend_days=trend_days,
        neighbours=neighbourhood_of(rows, popular_days),
        companions=companions_of(rows, popular_days),
    )
