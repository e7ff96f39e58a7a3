"""A model version's ``blend`` as readable rows, for the admin and ``train_recommender``.

Versions trained before blends were kept have ``{}``; a part that is missing or not of the
expected shape is left out (or shown as it is), never an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# What each blended source is, for the weights table; an unknown source is shown without one.
SOURCES = {
    "repeat": "the customer's regular re-purchases",
    "model": "the LightFM model",
    "graph": "the graph's walks",
    "interests": "popular within the customer's interests",
    "popular": "recent bestsellers",
    "declared": "interests the customer declared",
}
WEIGHT_COLUMNS = ["source", "weight", "what it is"]
RULE_COLUMNS = ["rule", "value"]


@dataclass(frozen=True)
class BlendSummary:
    weights: list[tuple[str, str, str]] = field(default_factory=list)  # source, weight, what it is
    rules: list[tuple[str, str]] = field(default_factory=list)  # rule, its value in words
    chosen_on: str = ""
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
    columns, figures = _figures(blend.get("figures"))
    return BlendSummary(
        weights=[(str(name), text(value), SOURCES.get(name, "")) for name, value in weights.items()]
        if isinstance(weights, dict)
        else [],
        rules=[_rule(str(name), value) for name, value in rules.items()] if isinstance(rules, dict) else [],
        chosen_on=_sentence(blend.get("chosen_on")),
        figure_columns=columns,
        figures=figures,
        fallback=_sentence(blend.get("fallback")),
    )


def _rule(name: str, value: Any) -> tuple[str, str]:
    if name == "repurchase_share":
        if value is None:
            return "bought products offered again", "never"
        if not _is_number(value):
            return "bought products offered again", text(value)
        return (
            "bought products offered again",
            f"those at least {value * 100:g} % of whose buyers bought again",
        )
    if name == "popular_days":
        return "bestsellers counted over", "all time" if value is None else f"the last {text(value)} days"
    if name == "max_per_category":
        return "products per category, at most", text(value)
    return name.replace("_", " "), text(value)


def _figures(rows: object) -> tuple[list[str], list[list[str]]]:
    """The columns (``name``, then every measure in the order first met) and one row per figure."""
    if not isinstance(rows, list):
        return [], []
    found = [row for row in rows if isinstance(row, dict)]
    if not found:
        return [], []
    measures = list(dict.fromkeys(key for row in found for key in row if key != "name"))
    return ["name", *measures], [
        [str(row.get("name", "-")), *(_measure(row.get(key)) for key in measures)] for row in found
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
    """A validation figure (precision, recall, NDCG): three places, as the evaluation tables."""
    return f"{value:.3f}" if isinstance(value, float) else text(value)


def _sentence(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
