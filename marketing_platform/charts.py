"""Charts on admin pages: a spec built in Python, drawn in the browser by Chart.js.

Chart.js is served by the platform itself (``make frontend`` copies it from ``frontend/``'s npm
lock into ``static/vendor/``); ``static/marketing_platform/charts.js`` draws every chart of a
page from its spec, so a page needs no script of its own and runs under a policy that forbids
inline scripts (``marketing_platform.content_security``).

The spec:

- ``Chart(key, title, kind, labels, series, label_title, unit)``:
  ``key`` names the chart on its page (letters, digits and dashes; its element ids derive from
  it); ``title`` heads it and opens its accessible description; ``kind`` is ``ChartKind.LINE``,
  ``BAR`` (series side by side) or ``STACKED`` (bars, series stacked); ``labels`` are the x axis,
  in order, as people read them ("3 Dec 2011", a campaign's name); ``label_title`` names them
  ("Day", "Campaign") and heads the table's first column; ``unit`` says what a value counts
  ("messages") and names the y axis.
- ``Series(name, values, colour)``: one value per label (numbers), drawn in ``colour``. Take
  colours from one ``Palette`` per kind of series on a page: a name keeps its colour in every
  chart that shares the palette, and every colour has at least the 3:1 contrast WCAG AA asks of
  graphics against the admin's light and dark backgrounds.

In a template, ``{% load charts %}``, ``{% chart_assets %}`` in the ``extrahead`` block, then
``{% chart spec %}`` where a chart goes: a figure with its title, the canvas (``role="img"``,
labelled with a summary of the figures), each series' total beside it, and every figure in a
table under a ``<details>``. A chart with no figures says so instead (``empty_text``).
``charts_csv`` writes the figures of a page's charts for a download. ``charts.css`` also lays
out a page's form of a range of days (``.chart-range``) and the note under it
(``.chart-range-note``), as ``templates/admin/conversations/analytics.html`` does.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

Number = int | float

# Colours with at least 3:1 contrast on both white and Django's dark admin background (#121212),
# distinguishable with the common colour-vision deficiencies first (Okabe and Ito's set leads).
PALETTE = (
    "#0072B2",  # blue
    "#D55E00",  # vermilion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#7570B3",  # violet
    "#A6761D",  # ochre
    "#E7298A",  # magenta
    "#2F8F9D",  # teal
    "#C2563A",  # brick
)
NEUTRAL = "#7A7A7A"  # grey, for a series of what is left over or unknown
KEY = re.compile(r"[a-z0-9-]+")


class ChartKind(StrEnum):
    LINE = "line"
    BAR = "bar"
    STACKED = "stacked"


class Palette:
    """Colours for the series of one kind (channels, intents) across a page's charts: the first
    name asked for gets the first colour, and a name asked for again gets the same one; names in
    ``fixed`` have theirs (``NEUTRAL`` for "Other", say)."""

    def __init__(self, colours: Sequence[str] = PALETTE, fixed: Mapping[str, str] | None = None) -> None:
        self._colours = colours
        self._given = dict(fixed or {})
        self._taken = 0

    def colour(self, name: str) -> str:
        if name not in self._given:
            self._given[name] = self._colours[self._taken % len(self._colours)]
            self._taken += 1
        return self._given[name]

    def series(self, name: str, values: Sequence[Number]) -> Series:
        return Series(name, list(values), self.colour(name))


@dataclass(frozen=True)
class Series:
    name: str
    values: list[Number]
    colour: str

    @property
    def total(self) -> Number:
        return sum(self.values)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    kind: ChartKind
    labels: list[str]
    series: list[Series]
    label_title: str
    unit: str = ""
    empty_text: str = field(default="Nothing to show.")
    summed: bool = True

    def __post_init__(self) -> None:
        if not KEY.fullmatch(self.key):
            raise ValueError(f"A chart's key is letters, digits and dashes: {self.key!r}.")
        for series in self.series:
            if len(series.values) != len(self.labels):
                raise ValueError(
                    f"Series {series.name!r} of chart {self.key!r} has {len(series.values)} values "
                    f"for {len(self.labels)} labels."
                )

    @property
    def total(self) -> Number:
        return sum(series.total for series in self.series)

    @property
    def empty(self) -> bool:
        return not self.labels or not any(value for series in self.series for value in series.values)

    @property
    def spec_id(self) -> str:
        return f"chart-{self.key}-spec"

    @property
    def rows(self) -> list[tuple[str, list[Number], Number]]:
        """The table's rows: each label with its series' values and their sum."""
        return [
            (label, values := [series.values[i] for series in self.series], sum(values))
            for i, label in enumerate(self.labels)
        ]

    @property
    def description(self) -> str:
        """What a screen reader says of the canvas: the span and the totals, where the table is."""
        unit = f" {self.unit}" if self.unit else ""
        span = f"{self.labels[0]} to {self.labels[-1]}" if self.labels else "no data"
        totals = "; ".join(f"{series.name}: {_figure(series.total)}" for series in self.series)
        summary = f"{_figure(self.total)}{unit} in all ({totals})" if self.summed else f"{totals}{unit}"
        return f"{self.title}, {span}: {summary}. Every figure is in the table below the chart."

    def figures(self) -> Iterator[tuple[str, str, Number]]:
        """Each value with its label and its series' name."""
        for label, values, _ in self.rows:
            for series, value in zip(self.series, values, strict=True):
                yield label, series.name, value

    def as_json(self) -> dict[str, Any]:
        """What ``charts.js`` reads (through ``json_script``)."""
        return {
            "kind": self.kind.value,
            "labels": self.labels,
            "label_title": self.label_title,
            "unit": self.unit,
            "series": [{"name": s.name, "values": s.values, "colour": s.colour} for s in self.series],
        }


def _figure(value: Number) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


CSV_HEADER = ("chart", "label", "series", "value")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Figures(Protocol):
    """What ``charts_csv`` writes: a chart, or a table a page shows beside its charts."""

    @property
    def title(self) -> str: ...

    def figures(self) -> Iterator[tuple[str, str, Number]]: ...


def charts_csv(charts: Iterable[Figures]) -> str:
    """Every figure of the charts, one per line: the chart's title, the label, the series, the value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for chart in charts:
        for label, series, value in chart.figures():
            writer.writerow((_text(chart.title), _text(label), _text(series), value))
    return out.getvalue()


def _text(cell: str) -> str:
    """A name staff typed (a campaign's) that a spreadsheet would run as a formula, quoted."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell
