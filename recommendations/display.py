"""What a model version keeps as JSON (its ``blend``, its evaluation tables) as readable rows,
for the admin and ``train_recommender``.

Versions trained before blends were kept have ``{}``, and older evaluations measured other
things; a part that is missing or not of the expected shape is left out (or shown as it is),
never an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeGuard

# What each blended source is, for the weights table; an unknown source is shown without one.
SOURCES = {
    "repeat": "the customer's regular re-purchases",
    "model": "the LightFM model",
    "graph": "the graph's walks",
    "neighbours": "what the nearest customers bought lately",
    "companions": "products that go with those bought (EASE on every basket)",
    "content": "products like those bought (names and descriptions)",
    "interests": "popular within the customer's interests",
    "trending": "products whose sales are growing",
    "popular": "bestsellers",
    "declared": "interests the customer declared",
    "asked": "products like those the customer asked for more like",
}
WEIGHT_COLUMNS = ["source", "weight", "what it is"]
RULE_COLUMNS = ["rule", "value"]
LEFT_OUT = ("seconds",)  # how long a measurement took: not a measure of the recommender


@dataclass(frozen=True)
class BlendSummary:
    weights: list[tuple[str, str, str]] = field(default_factory=list)  # source, weight, what it is
    rules: list[tuple[str, str]] = field(default_factory=list)  # rule, its value in words
    chosen_on: str = ""  # follows "chosen on": which validation split, how many customers
    figure_columns: list[str] = field(default_factory=list)  # "name" first, then the measures
    figures: list[list[str]] = field(default_factory=list)
    fallback: str = ""

    def __bool__(self) -> bool:
        return bool(self.weights or self.rules or self.chosen_on or self.figures or self.fallback)


def blend_summary(blend: object) -> BlendSummary:
    if not isinstance(blend, dict):
        return BlendSummary()
    weights = blend.get("weights")
    rules = blend.get("rules")
    columns, figures = measures(blend.get("figures"))
    return BlendSummary(
        weights=[(str(name), text(value), SOURCES.get(name, "")) for name, value in weights.items()]
        if isinstance(weights, dict)
        else [],
        rules=_rules(rules) if isinstance(rules, dict) else [],
        chosen_on=_sentence(blend.get("chosen_on")),
        figure_columns=columns,
        figures=figures,
        fallback=_sentence(blend.get("fallback")),
    )


AGAIN = "bought products offered again"
REPEATED = "when bought on 2+ orders"
_UNSET = object()


def _rules(rules: dict[str, Any]) -> list[tuple[str, str]]:
    """``offer_again`` and ``repurchase_share`` read as one rule; the others one row each."""
    rest = dict(rules)
    again, share = rest.pop("offer_again", _UNSET), rest.pop("repurchase_share", _UNSET)
    rows = [(AGAIN, _offered_again(again, share))] if (again, share) != (_UNSET, _UNSET) else []
    return rows + [_rule(str(name), value) for name, value in rest.items()]


def _offered_again(again: object, share: object) -> str:
    """``never``, ``repeated`` (what the customer bought on more than one order) or ``kinds``
    (those, and products ``share`` of whose buyers bought again); without ``offer_again``, a
    share of None is never."""
    if again == "never" or (again is _UNSET and share is None):
        return "never"
    if again == "repeated":
        return REPEATED
    if again not in ("kinds", _UNSET):
        return text(again)
    if not _is_number(share):
        return f"{REPEATED}, or a re-purchase kind"
    if share == 0:
        return "always"
    return f"{REPEATED}, or at least {share * 100:g} % of their buyers bought again"


def _rule(name: str, value: Any) -> tuple[str, str]:
    if name == "popular_days":
        return "bestsellers counted over", "all time" if value is None else f"the last {text(value)} days"
    if name == "regulars_half_life":
        return "a regular's order counts half after", "never" if value is None else f"{text(value)} days"
    if name == "max_per_category":
        return "products per category, at most", text(value)
    if name == "discovery" and isinstance(value, bool):
        return "one place for a category never bought from", "yes" if value else "no"
    return name.replace("_", " "), text(value)


MEASURE_ORDER = ("protocol", "precision", "recall", "ndcg", "auc", "new_precision", "new_recall", "new_ndcg",
                 "coverage", "customers", "seconds")  # fmt: skip


def measures(rows: object, first: str = "name") -> tuple[list[str], list[list[str]]]:
    """Stored rows of measures (dicts) as a table: the columns (``first``, then the known measures
    in ``MEASURE_ORDER``, then any other key alphabetically, less ``LEFT_OUT``) and one row of
    text per dict."""
    if not isinstance(rows, list):
        return [], []
    found = [row for row in rows if isinstance(row, dict)]
    if not found:
        return [], []
    met = {key for row in found for key in row if key not in (first, *LEFT_OUT)}
    # PostgreSQL's jsonb keeps keys in its own order: measures go in the order people read them
    keys = sorted(
        met, key=lambda key: (MEASURE_ORDER.index(key) if key in MEASURE_ORDER else len(MEASURE_ORDER), key)
    )
    return [first, *keys], [
        [str(row.get(first, "-")), *(_measure(row.get(key)) for key in keys)] for row in found
    ]


def text(value: Any) -> str:
    """A stored value as the tables show it: a whole number with thousands separators, a
    fraction as short as it is exact (3, 0.35), nothing as ``-``."""
    if value is None:
        return "-"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,g}"
    return str(value)


def _measure(value: Any) -> str:
    """A measure (precision, recall, NDCG, coverage): three places."""
    return f"{value:.3f}" if isinstance(value, float) else text(value)


def _sentence(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
