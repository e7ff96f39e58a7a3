"""Choosing a model version's blend on the shop's own data.

The validation split is carved from the data the version learns from:
- **recent weeks** (the last ``VALIDATION_WEEKS``) when time says something here: the data
  spans at least three times that, and most customers who bought in those weeks had bought
  before (returning customers, whose next purchases the history can predict);
- otherwise a **random hold-out** of ``HOLD_OUT`` of the purchased (customer, product) pairs
  (data whose recent weeks are mostly newcomers, or without much time in it).

A model is trained on the rest with the version's own parameters, every candidate list is
built once, and the blend is chosen by precision@10 on the held-out purchases in two stages
(``Validation.best``): first the sources of new products (every source but the regulars)
and the rules, on new purchases only (products the customer did not have); then, where
re-purchases can be measured, what may be offered again, how the regulars rank and their
weight, on every purchase (what a retailer measures, and what serving does). A change is
taken only when it wins by more than ``MARGIN`` standard errors of the customers' paired
differences, so the search moves away from the default blend on evidence, not on noise.
The validation model is trained on one thread, so the same data always chooses the same
blend. Each source alone is a candidate at each stage, so the chosen blend is never below
its best single source on this split. With too little to validate on, the default blend
serves.

Where the shop's attribution says a source's recommendations earned sales (``earning``), the
search never switches that source off: it keeps at least the smallest weight tried
(``kept_earning``), so it goes on being shown and measured. Without attribution data nothing
changes.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from dataclasses import astuple, dataclass, replace
from datetime import timedelta
from typing import Any

import numpy as np
from django.conf import settings

from recommendations.blending import Blend, OfferAgain, default_blend
from recommendations.dataset import History
from recommendations.evaluation import Evaluation, Row, Sources, Split, random_split, time_split

VALIDATION_WEEKS = 4
HOLD_OUT = 0.2
RETURNING_SHARE = 0.5
MIN_CUSTOMERS = 100  # validated customers below which the default blend serves (choices would be noise)
MAX_CUSTOMERS = 2000  # validated customers sampled above this (the choice's cost is linear in them)
# A change of the blend must win by this many standard errors of the customers' paired
# differences: the validation weeks are a sample, and a search over many weights finds changes
# that win on a few customers' luck and lose the weeks after.
MARGIN = 1.0
WEIGHT_STEPS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
# The regulars are weighed against every other source together: a list topped by them must
# outweigh the sum of the others' weights.
REPEAT_STEPS = (*WEIGHT_STEPS, 16.0, 32.0, 64.0)
# Once the regulars have room, the other weights are weighed again on every purchase, giving
# up at most this share of what they score on new purchases: the regulars and the bestsellers
# a customer already has often go together.
NEW_ITEMS_GIVEN_UP = 0.05
AGAIN_STEPS = (
    (OfferAgain.NEVER, 0.02),
    (OfferAgain.REPEATED, 0.02),
    *((OfferAgain.KINDS, share) for share in (0.0, 0.02, 0.05, 0.1, 0.2)),
)
HALF_LIFE_STEPS = (None, 30, 91, 365)  # of the regulars' orders, days (None: orders count alike)
WINDOW_STEPS = (7, 28, 91, 365, None)
CAP_STEPS = (2, 3, 5, 10)  # 10: no cap on a list of ten
TUNED = (
    "repeat",
    "model",
    "graph",
    "neighbours",
    "companions",
    "content",
    "interests",
    "trending",
    "popular",
)  # not "declared" nor "asked": promises to the customer


@dataclass(frozen=True)
class Choice:
    blend: Blend
    chosen_on: str
    figures: list[dict[str, Any]]
    fallback: str = ""

    def as_json(self) -> dict[str, Any]:
        stored = {**self.blend.as_json(), "chosen_on": self.chosen_on, "figures": self.figures}
        return {**stored, "fallback": self.fallback} if self.fallback else stored


def validation_split(data: History) -> Split:
    """Recent weeks or a random hold-out (see the module's docstring); says which and why."""
    if data.purchases:
        end = max(p.moment for p in data.purchases)
        cutoff = end - timedelta(weeks=VALIDATION_WEEKS)
        start = min(p.moment for p in data.purchases)
        recent = {p.customer_id for p in data.purchases if p.moment >= cutoff}
        returning = recent & {p.customer_id for p in data.purchases if p.moment < cutoff}
        long_enough = end - start >= timedelta(weeks=3 * VALIDATION_WEEKS)
        if (
            long_enough
            and len(returning) >= MIN_CUSTOMERS
            and len(returning) >= RETURNING_SHARE * len(recent)
        ):
            split = time_split(VALIDATION_WEEKS, data=data)
            split.description = (
                f"the last {VALIDATION_WEEKS} weeks ({len(returning):,} of their {len(recent):,} buyers "
                "had bought before)"
            )
            return split
        why = (
            "the data spans too few weeks"
            if not long_enough
            else f"only {len(returning):,} of the {len(recent):,} recent buyers had bought before"
        )
    else:
        why = "no purchases"
    split = random_split(HOLD_OUT, settings.RECOMMENDER["random_state"], data=data)
    split.description = f"a random {HOLD_OUT:.0%} of purchased pairs ({why})"
    return split


def choose_blend(
    data: History, parameters: Mapping[str, Any] | None = None, earning: Collection[str] = ()
) -> Choice:
    """The blend that serves best on a validation split of ``data``; the sources in ``earning``
    (those with attributed sales) kept on (``kept_earning``)."""
    default = default_blend()
    try:
        validation = Validation.of(data, parameters)
    except NotEnoughToValidate as exc:
        return Choice(default, exc.chosen_on, [], fallback=f"Default blend: {exc}")
    best = validation.best(default)
    blend = kept_earning(best, earning)
    described = validation.described
    if blend != best:
        kept = sorted(
            source for source, weight in blend.weights.items() if weight and not best.weights[source]
        )
        described += f"; kept on for their attributed sales: {', '.join(kept)}"
    return Choice(blend, described, validation.figures(blend, default))


def wins_clearly(new: tuple[np.ndarray, ...], old: tuple[np.ndarray, ...]) -> bool:
    """Whether per-customer figures ``new`` beat ``old`` (the same customers, in the same order)
    by more than ``MARGIN`` standard errors of their paired differences, on the first figure
    (precision@10) or, where it ties for everyone, on the next (NDCG@10): a change that wins on
    a few customers' luck is not one."""
    for mine, theirs in zip(new, old, strict=True):
        gain = mine - theirs
        if gain.any():
            return bool(gain.mean() > MARGIN * gain.std(ddof=1) / np.sqrt(len(gain)))
    return False


def kept_earning(blend: Blend, earning: Collection[str]) -> Blend:
    """The blend with every tuned source in ``earning`` that it switched off given the smallest
    weight the search tries. The regulars are left to the blend's rule on offering again."""
    floor = min(step for step in WEIGHT_STEPS if step > 0)
    off = {
        source
        for source in earning
        if source in TUNED and source != "repeat" and not blend.weights.get(source)
    }
    return replace(blend, weights={**blend.weights, **dict.fromkeys(off, floor)}) if off else blend


class NotEnoughToValidate(Exception):
    def __init__(self, message: str, chosen_on: str = "") -> None:
        super().__init__(message)
        self.chosen_on = chosen_on


class Validation:
    """A validation split of the data with every customer's candidate lists built once, on
    which any blend is scored."""

    def __init__(self, evaluation: Evaluation, sources: Sources, described: str) -> None:
        self.evaluation, self.sources, self.described = evaluation, sources, described
        self._seen: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = {}

    @classmethod
    def of(cls, data: History, parameters: Mapping[str, Any] | None = None) -> Validation:
        """``parameters``: the model's, those of the version the blend is chosen for."""
        try:
            split = validation_split(data)
        except ValueError as exc:
            raise NotEnoughToValidate(str(exc)) from exc
        evaluation = Evaluation(split, parameters=parameters)
        customers = [pk for pk in evaluation.customers if split.test.get(pk)]
        if len(customers) < MIN_CUSTOMERS:
            raise NotEnoughToValidate(
                f"{len(customers)} customers to validate on, {MIN_CUSTOMERS} needed.", split.description
            )
        if len(customers) > MAX_CUSTOMERS:
            chooser = random.Random(settings.RECOMMENDER["random_state"])  # noqa: S311 - a sample, not a secret
            customers = sorted(chooser.sample(customers, MAX_CUSTOMERS))
        evaluation.customers = customers
        sources = evaluation.sources(evaluation.shoppers(customers))
        described = f"{split.description}: {len(customers):,} customers, precision@10"
        return cls(evaluation, sources, described)

    def score(self, blend: Blend, protocol: str = "again") -> tuple[float, float]:
        """Precision@10, then NDCG@10, under ``protocol`` (``evaluation.PROTOCOLS``)."""
        precision, ndcg = self._per_customer(blend, protocol)
        return round(float(precision.mean()), 6), round(float(ndcg.mean()), 6)

    def _per_customer(self, blend: Blend, protocol: str) -> tuple[np.ndarray, np.ndarray]:
        """Each validated customer's precision@10 and NDCG@10 (customers with something to find)."""
        key = (protocol, tuple(sorted(blend.weights.items())), *astuple(blend)[1:])
        if key not in self._seen:
            if protocol == "new":
                blend = replace(blend, offer_again=OfferAgain.NEVER)
            precision, _, ndcg, _ = self.evaluation.per_customer(protocol, self.sources.served(blend))
            self._seen[key] = (precision, ndcg)
        return self._seen[key]

    def _clearly_better(self, blend: Blend, than: Blend, protocol: str) -> bool:
        return wins_clearly(self._per_customer(blend, protocol), self._per_customer(than, protocol))

    def row(self, name: str, blend: Blend, protocol: str = "again") -> Row:
        if protocol == "new":
            blend = replace(blend, offer_again=OfferAgain.NEVER)
        return self.evaluation.measure(name, protocol, self.sources.served(blend), 0.0)

    def _better(
        self,
        candidates: list[Blend],
        current: Blend,
        protocol: str,
        new_floor: tuple[float, float] | None = None,
    ) -> Blend:
        """The best of ``current`` and ``candidates`` under ``protocol``, each having to be
        clearly better (``_clearly_better``) than the best before it; with ``new_floor``, only
        among those that score at least that on new purchases."""
        best = current
        for blend in candidates:
            if self._clearly_better(blend, best, protocol) and (
                new_floor is None or self.score(blend, "new") >= new_floor
            ):
                best = blend
        return best

    def _best_alone(self, blend: Blend, sources: tuple[str, ...], protocol: str) -> Blend:
        """``blend``, or the one of its sources alone that scores higher (however little): the
        chosen blend is never below its best single source on this split."""
        best, best_score = blend, self.score(blend, protocol)
        for alone in (self._alone(blend, source) for source in sources):
            if (score := self.score(alone, protocol)) > best_score:
                best, best_score = alone, score
        return best

    def _weights(
        self,
        blend: Blend,
        sources: tuple[str, ...],
        protocol: str,
        steps: tuple[float, ...] = WEIGHT_STEPS,
        new_floor: tuple[float, float] | None = None,
    ) -> Blend:
        for source in sources:
            weighed = [replace(blend, weights={**blend.weights, source: step}) for step in steps]
            blend = self._better(weighed, blend, protocol, new_floor)
        return blend

    @property
    def timed(self) -> bool:
        """Whether re-purchases can be measured: on a random hold-out of pairs a held-out
        purchase is never one the customer has, so offering bought products again could only
        lose there; the default rule and the regulars' weight then stand."""
        return self.evaluation.split.cutoff is not None

    @property
    def tuned(self) -> tuple[str, ...]:
        return TUNED if self.timed else tuple(source for source in TUNED if source != "repeat")

    def _rules(self, blend: Blend, protocol: str) -> Blend:
        """The popularity window, the per-category cap and the discovery slot."""
        blend = self._better([replace(blend, popular_days=days) for days in WINDOW_STEPS], blend, protocol)
        blend = self._better([replace(blend, max_per_category=cap) for cap in CAP_STEPS], blend, protocol)
        return self._better([replace(blend, discovery=not blend.discovery)], blend, protocol)

    def _new_items(self, blend: Blend) -> Blend:
        """What finds new products: the rules, twice each source's weight in turn and the rules
        again, then each source alone; on new purchases only, which regulars cannot predict."""
        discovering = tuple(source for source in self.tuned if source != "repeat")
        blend = self._rules(self._weights(self._rules(blend, "new"), discovering, "new"), "new")
        blend = self._rules(self._weights(blend, discovering, "new"), "new")
        return self._best_alone(blend, discovering, "new")

    def _regulars(self, blend: Blend) -> Blend:
        """What may be offered again, how the regulars rank (how fast an order's weight halves) and
        how much room they get, on every purchase; then
        the other weights and the cap again, as far as new purchases lose little by it
        (``NEW_ITEMS_GIVEN_UP``)."""
        precision, ndcg = self.score(blend, "new")
        floor = (precision * (1 - NEW_ITEMS_GIVEN_UP), ndcg * (1 - NEW_ITEMS_GIVEN_UP))
        steps = [replace(blend, offer_again=again, repurchase_share=share) for again, share in AGAIN_STEPS]
        blend = self._better(steps, blend, "again")
        half_lives = [replace(blend, regulars_half_life=days) for days in HALF_LIFE_STEPS]
        blend = self._weights(self._better(half_lives, blend, "again"), ("repeat",), "again", REPEAT_STEPS)
        discovering = tuple(source for source in self.tuned if source != "repeat")
        blend = self._weights(blend, discovering, "again", new_floor=floor)
        caps = [replace(blend, max_per_category=cap) for cap in CAP_STEPS]
        blend = self._better(caps, blend, "again", new_floor=floor)
        return self._best_alone(blend, self.tuned, "again")

    def best(self, default: Blend) -> Blend:
        """The sources of new products weighed on new purchases (``_new_items``), then the
        regulars on all of them (``_regulars``, where re-purchases can be measured): new
        products ranked by how well they predict new purchases, and regulars given the room
        that predicts all purchases best."""
        start = replace(default, offer_again=OfferAgain.NEVER) if self.timed else default  # only if it pays
        blend = self._new_items(start)
        if self.timed:
            blend = self._regulars(blend)
        if blend.offer_again == OfferAgain.NEVER:  # no regulars: say so in the weights too
            blend = replace(blend, weights={**blend.weights, "repeat": 0.0})
        return blend

    def figures(self, chosen: Blend, default: Blend) -> list[dict[str, Any]]:
        """The chosen blend beside the default one and each source alone, on the same split,
        under both protocols."""
        named = [(f"{source} alone", self._alone(chosen, source)) for source in self.tuned]
        named += [("default blend", default), ("blend (chosen)", chosen)]
        figures = []
        for name, blend in named:
            figure: dict[str, Any] = {"name": name}
            for protocol in ("again", "new"):
                row = self.row(name, blend, protocol)
                prefix = "" if protocol == "again" else "new_"
                figure |= {f"{prefix}{m}": round(getattr(row, m), 4) for m in ("precision", "recall", "ndcg")}
            figures.append(figure)
        return figures

    def _alone(self, blend: Blend, source: str) -> Blend:
        """The blend's rules with one source (declared interests and "more like this" keep their
        weight: promises; and the regulars theirs where re-purchases cannot be measured)."""
        kept = {s: blend.weights[s] for s in ("declared", "asked", "repeat") if s not in self.tuned}
        return replace(blend, weights={**{s: float(s == source) for s in self.tuned}, **kept})
