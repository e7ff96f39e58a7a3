"""The blend: how candidate lists from several sources become the items a customer is shown.

Pure functions over candidate lists, called by serving (``serving.py``), by the offline
evaluation (``evaluation.py``) and by the choice of each model version's blend
(``tuning.py``): what the evaluation scores as "blended (served)" is what the API serves.

Blending is weighted reciprocal-rank fusion: an item's score is
``Σ weight(source) / (60 + rank in that source)``; its reason and strategy are those of
the source that contributed most. Declared interests are a source of their own (the
bestsellers of their categories) and lift every other item of their categories by 25 %;
so is "more like this" feedback (``asked``: products like those the customer asked for).
Then the rules: active products only, never one the customer said was not for it, a bought
product only when the blend offers it again (``Blend.offer_again``), at most
``max_per_category`` per category.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings

from catalog.taxonomy import OTHER

if TYPE_CHECKING:  # the market's neighbourhood lists its candidates with this module's types
    from recommendations.market import Market

SOURCES = (
    "repeat",
    "model",
    "graph",
    "neighbours",
    "companions",
    "content",
    "declared",
    "asked",
    "interests",
    "trending",
    "popular",
)
RANK_OFFSET = 60
REGULARS_HALF_LIFE = 91  # days: what a customer bought on its last quarter's orders comes first
DECLARED_BOOST = 1.25
POOL = 100


class OfferAgain:
    """Which bought products may be recommended again."""

    NEVER = "never"
    REPEATED = "repeated"  # those this customer already bought on more than one order
    KINDS = "kinds"  # those, and re-purchase kinds: products enough of whose buyers bought again


@dataclass(frozen=True)
class Blend:
    """Source weights and rules: chosen per model version on the shop's own data."""

    weights: Mapping[str, float]
    offer_again: str = OfferAgain.KINDS
    repurchase_share: float = 0.02  # a re-purchase kind: at least this share of buyers bought again
    popular_days: int | None = 28  # "popular" counts buyers over these last days; None: all time
    regulars_half_life: int | None = None  # days over which a regular's order counts half; None: alike
    max_per_category: int = 3
    discovery: bool = True  # at least one item from a category the customer never bought from

    def as_json(self) -> dict[str, Any]:
        return {
            "weights": dict(self.weights),
            "rules": {
                "offer_again": self.offer_again,
                "repurchase_share": self.repurchase_share,
                "popular_days": self.popular_days,
                "regulars_half_life": self.regulars_half_life,
                "max_per_category": self.max_per_category,
                "discovery": self.discovery,
            },
        }

    @classmethod
    def of(cls, stored: Mapping[str, Any]) -> Blend:
        """The blend stored with a model version; defaults for what it does not say."""
        default = default_blend()
        weights = stored.get("weights") or {}
        rules = stored.get("rules") or {}
        return cls(
            weights={source: float(weights.get(source, default.weights[source])) for source in SOURCES},
            offer_again=rules.get("offer_again", default.offer_again),
            repurchase_share=float(rules.get("repurchase_share", default.repurchase_share)),
            popular_days=rules.get("popular_days", default.popular_days),
            regulars_half_life=rules.get("regulars_half_life", default.regulars_half_life),
            max_per_category=int(rules.get("max_per_category", default.max_per_category)),
            discovery=bool(rules.get("discovery", default.discovery)),
        )

    def describe(self) -> str:
        weights = ", ".join(
            f"{source} {self.weights[source]:g}" for source in SOURCES if self.weights[source]
        )
        window = f"last {self.popular_days} days" if self.popular_days else "all time"
        half_life = f"half-life {self.regulars_half_life} days" if self.regulars_half_life else "orders alike"
        return (
            f"{weights}; offer again: {self.offer_again}; regulars: {half_life}; popular over {window}; "
            f"at most {self.max_per_category} per category; discovery {'on' if self.discovery else 'off'}"
        )


def real_category(category_id: int | None, slug: str | None) -> int | None:
    """A product's category as the rules see it: the catch-all "Other" is no category."""
    return None if slug == OTHER.slug else category_id


def blend_source(strategy: str) -> str | None:
    """The source whose weight put an item with this strategy in a list (None: a rule's, as
    ``discovery``): ``graph:<walk>`` is the graph's, ``popular_in_interests`` the interests'."""
    if strategy.startswith("graph:"):
        return "graph"
    if strategy == "popular_in_interests":
        return "interests"
    return None if strategy == "discovery" else strategy


def default_blend() -> Blend:
    """What serves when a shop's data is too small to choose from (and before any training):
    regulars and declared interests first, then bestsellers, the model, and the rest."""
    return Blend(
        weights={
            "repeat": 3.0,
            "model": 1.0,
            "graph": 0.35,
            "neighbours": 1.0,
            "companions": 1.0,
            "content": 0.25,
            "declared": 3.0,
            "asked": 3.0,
            "interests": 0.25,
            "trending": 0.25,
            "popular": 2.0,
        },
        repurchase_share=settings.RECOMMENDATIONS_REPURCHASE_SHARE,
        popular_days=settings.RECOMMENDATIONS_POPULAR_DAYS or None,
        regulars_half_life=REGULARS_HALF_LIFE,
        max_per_category=settings.RECOMMENDATIONS_MAX_PER_CATEGORY,
    )


@dataclass(frozen=True)
class Candidates:
    """One source's products, best first (a repeated one counts at its first place), each with
    its strategy and reason: lists side by side, as a customer gets a few hundred."""

    product_ids: list[int]
    strategies: list[str]
    reasons: list[str]

    @classmethod
    def of(cls, product_ids: list[int], strategy: str, reason: str) -> Candidates:
        return cls(product_ids, [strategy] * len(product_ids), [reason] * len(product_ids))

    def __add__(self, other: Candidates) -> Candidates:
        return Candidates(
            self.product_ids + other.product_ids,
            self.strategies + other.strategies,
            self.reasons + other.reasons,
        )

    def __len__(self) -> int:
        return len(self.product_ids)


NO_CANDIDATES = Candidates([], [], [])


@dataclass
class Shopper:
    """What is known of the customer: products it has (with their order counts, and when those
    orders were made), whether it has any events, its interests, its model features, and its
    feedback: products it said were not for it (never offered) and those it wants more like."""

    customer_id: int
    bought: Counter[int]
    has_events: bool
    interests: list[tuple[str, int | None, bool]]  # (name, category id, declared), declared first
    features: dict[str, float] = field(default_factory=dict)
    ordered_at: Mapping[int, Sequence[datetime]] = field(default_factory=dict)  # product → its orders
    not_for_me: frozenset[int] = frozenset()
    more_like_this: tuple[int, ...] = ()  # latest first
    _weighed: dict[int, dict[int, float]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def new(self) -> bool:
        return not self.bought and not self.has_events

    def offered_again(self, blend: Blend, repurchase_kinds: set[int]) -> set[int]:
        """Bought products the blend may offer again."""
        if blend.offer_again == OfferAgain.NEVER:
            return set()
        return {pk for pk, orders in self.bought.items() if orders > 1 or pk in repurchase_kinds}

    def orders_weighed(self, half_life: int | None) -> dict[int, float]:
        """Each product's orders, each counting half as much for every ``half_life`` days it came
        before the latest order ({} when orders count alike). Once per half-life: the blend's
        choice ranks the same customer's regulars for many blends."""
        if half_life is None or not self.ordered_at:
            return {}
        if half_life not in self._weighed:
            latest = max(max(moments) for moments in self.ordered_at.values())
            seconds = half_life * 86400
            self._weighed[half_life] = {
                pk: sum(0.5 ** ((latest - moment).total_seconds() / seconds) for moment in moments)
                for pk, moments in self.ordered_at.items()
            }
        return self._weighed[half_life]

    @property
    def top_interests(self) -> list[tuple[str, int, bool]]:
        """The three strongest interests that name a category, declared ones first."""
        return [(name, category, declared) for name, category, declared in self.interests if category][:3]


def regulars(shopper: Shopper, again: set[int], half_life: int | None) -> Candidates:
    """What the customer keeps buying, most orders first; with ``half_life`` (days), an order
    counts half as much for each half-life it came before the customer's latest one."""
    weight = shopper.orders_weighed(half_life)
    ranked = sorted(again, key=lambda pk: (-weight.get(pk, shopper.bought[pk]), pk))
    return Candidates.of(ranked[:POOL], "repeat", "")


def popular(market: Market) -> Candidates:
    return Candidates.of(market.bestsellers(POOL), "popular", "One of our bestsellers right now")


def trending(market: Market) -> Candidates:
    previous, recent = market.previous, market.recent
    return Candidates(
        (ids := market.trending(POOL // 2)),
        ["trending"] * len(ids),
        [f"Trending: {recent[pk]} buyers in the last {market.trend_days} days, up from {previous.get(pk, 0)}"
         for pk in ids],
    )  # fmt: skip


def bestsellers_by_category(members: Mapping[int, Iterable[int]], market: Market) -> dict[int, list[int]]:
    """Each category's bestsellers (``members``: its active products)."""
    popularity = market.popularity
    return {
        category: sorted(pks, key=lambda pk: (-popularity.get(pk, 0), pk))[: POOL // 3]
        for category, pks in members.items()
    }


def popular_in_interests(
    shopper: Shopper, bestsellers: Mapping[int, list[int]]
) -> tuple[Candidates, Candidates]:
    """The bestsellers of the customer's strongest interests: declared ones', then the others'."""
    found = {True: NO_CANDIDATES, False: NO_CANDIDATES}
    for name, category, declared in shopper.top_interests:
        found[declared] += Candidates.of(
            bestsellers.get(category, []), "popular_in_interests", f"Popular with customers who love {name}"
        )
    return found[True], found[False]


@dataclass(frozen=True)
class Pick:
    product_id: int
    score: float
    strategy: str
    reason: str


# (score, product id, the candidates whose source contributed most, the product's place in them)
Ranked = Iterator[tuple[float, int, Candidates, int]]


def fuse(
    sources: Mapping[str, Candidates], blend: Blend, shopper: Shopper, category_of: Mapping[int, int | None]
) -> Ranked:
    """Rank fusion, best first. Without a model the graph's walks, the other collaborative
    signal, take its weight: at their own they would rank below the whole bestseller list.
    One column per product of any list, one row per source, so the sum is one product."""
    weights = dict(blend.weights)
    if "model" not in sources:
        weights["graph"] = max(weights["graph"], weights["model"])
    used = [(weights[source], candidates) for source, candidates in sources.items() if weights[source]]
    column: dict[int, int] = {}
    rows, columns, ranks, places = [], [], [], []
    for row, (_, candidates) in enumerate(used):
        first: dict[int, int] = {}
        for place, pk in enumerate(candidates.product_ids):
            if pk not in first:
                first[pk] = place
                rows.append(row)
                columns.append(column.setdefault(pk, len(column)))
                ranks.append(len(first) - 1)
                places.append(place)
    if not column:
        return iter(())
    shape = (len(used), len(column))
    contribution = np.zeros(shape)
    contribution[rows, columns] = np.array([weight for weight, _ in used])[rows] / (
        RANK_OFFSET + np.array(ranks)
    )
    place_of = np.zeros(shape, dtype=np.int64)
    place_of[rows, columns] = places
    product_ids = np.fromiter(column, dtype=np.int64, count=len(column))
    scores = contribution.sum(axis=0)
    declared = {category for _, category, is_declared in shopper.interests if is_declared and category}
    if declared:
        scores *= [DECLARED_BOOST if category_of.get(pk) in declared else 1.0 for pk in column]
    best = contribution.argmax(axis=0)  # the first source of the largest share
    order = np.lexsort((product_ids, -scores))
    return (
        (float(scores[j]), int(product_ids[j]), used[best[j]][1], int(place_of[best[j], j])) for j in order
    )


def choose(
    ranked: Ranked,
    shopper: Shopper,
    again: set[int],
    category_of: Mapping[int, int | None],
    *,
    max_per_category: int,
    limit: int,
    category_ids: list[int] | None = None,
    discovery: bool = False,
) -> list[Pick]:
    """The rules: products in ``category_of`` (the active ones) only; nothing the customer said
    was not for it; nothing already bought unless in ``again``; at most ``max_per_category``
    per category (products of no real category, None in ``category_of``, are not capped);
    within ``category_ids`` when given; with ``discovery``, the last place goes to the best
    candidate from a category the customer never bought from, unless one is already in."""
    per_category: Counter[int | None] = Counter()
    chosen: list[Pick] = []
    if limit <= 0:
        return chosen
    allowed = (
        (score, pk, candidates, place)
        for score, pk, candidates, place in ranked
        if pk in category_of
        and pk not in shopper.not_for_me
        and (pk not in shopper.bought or pk in again)
        and (category_ids is None or category_of[pk] in category_ids)
    )
    for score, pk, candidates, place in allowed:
        category = category_of[pk]
        if category is not None and per_category[category] >= max_per_category:
            continue
        per_category[category] += 1
        strategy, reason = candidates.strategies[place], candidates.reasons[place]
        if pk in again:
            times = shopper.bought[pk]
            reason = f"Time to stock up: you have bought it {'before' if times == 1 else f'{times} times'}"
        chosen.append(Pick(pk, round(score * 1000, 4), strategy, reason))
        if len(chosen) == limit:
            break
    if discovery and shopper.bought and limit > 1:
        _discover(chosen, allowed, {category_of.get(pk) for pk in shopper.bought}, category_of, limit)
    return chosen


def _discover(
    chosen: list[Pick],
    rest: Ranked,
    known: set[int | None],
    category_of: Mapping[int, int | None],
    limit: int,
) -> None:
    """Give the last place to the best remaining candidate from a category new to the customer
    (one passed over for the per-category cap is of a category already in the list)."""
    if any(category_of[pick.product_id] not in known | {None} for pick in chosen):
        return
    for score, pk, candidates, place in rest:
        if category_of[pk] is not None and category_of[pk] not in known:
            reason = f"Something different: {candidates.reasons[place] or 'picked for you'}"
            pick = Pick(pk, round(score * 1000, 4), "discovery", reason)
            if len(chosen) == limit:
                chosen[-1] = pick
            else:
                chosen.append(pick)
            return


def repurchase_kinds(blend: Blend, market: Market) -> set[int]:
    """The products the blend offers again to whoever bought them (once per batch, not per customer)."""
    return market.repurchase_kinds(blend.repurchase_share) if blend.offer_again == OfferAgain.KINDS else set()


def recommend(
    shopper: Shopper,
    sources: Mapping[str, Candidates],
    blend: Blend,
    kinds: set[int],
    category_of: Mapping[int, int | None],
    *,
    limit: int,
    category_ids: list[int] | None = None,
) -> list[Pick]:
    """One customer's items from its sources' candidates: its regulars join them (when the
    sources include ``repeat``, as an empty list), then fusion and the rules; ``kinds`` are
    the blend's re-purchase kinds (``repurchase_kinds``)."""
    again = shopper.offered_again(blend, kinds)
    if "repeat" in sources:
        sources = {**sources, "repeat": regulars(shopper, again, blend.regulars_half_life)}
    ranked = fuse(sources, blend, shopper, category_of)
    return choose(
        ranked,
        shopper,
        again,
        category_of,
        max_per_category=blend.max_per_category,
        limit=limit,
        category_ids=category_ids,
        discovery=blend.discovery,
    )
