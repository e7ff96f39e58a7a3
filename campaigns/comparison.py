"""Which variant of a campaign leads on its winner metric, and how sure that is: the two
variants with the best rates, compared by the two-proportion z-test. Pure: results in,
a comparison out."""

from __future__ import annotations

from dataclasses import dataclass

from campaigns.models import WinnerMetric
from campaigns.selectors import VariantResult
from campaigns.statistics import Proportion, two_proportion_z_test

TEST_NAME = "two-proportion z-test"
COUNTED = {WinnerMetric.OPENS: "opened", WinnerMetric.CLICKS: "clicked"}


@dataclass(frozen=True)
class Comparison:
    metric: str  # "click rate"
    leader: str | None  # a variant's label, once the data say which leads
    confidence: float | None  # 0..1, that the leader's rate differs from the runner-up's
    summary: str  # the sentence staff read


def campaign_comparison(metric: str, results: list[VariantResult]) -> Comparison:
    """``metric`` is the campaign's ``WinnerMetric``; rates are of the emails sent."""
    name = WinnerMetric(metric).label.lower()
    if len(results) < 2:
        return Comparison(name, None, None, "One variant: nothing to compare.")
    counted = COUNTED[WinnerMetric(metric)]
    ranked = sorted(results, key=lambda r: (-r.rate(getattr(r, counted)), r.label))
    leader, runner_up = (Proportion(getattr(r, counted), r.sent) for r in ranked[:2])
    test = two_proportion_z_test(leader, runner_up)
    if test is None:
        return Comparison(name, None, None, f"Not enough data yet to compare the {name}s ({TEST_NAME}).")
    if leader.rate == runner_up.rate:
        return Comparison(name, None, test.confidence, f"{ranked[0].label} and {ranked[1].label} are level "
                          f"on {name} ({TEST_NAME}).")  # fmt: skip
    label = ranked[0].label
    summary = f"{label} leads on {name}, {_percent(test.confidence)} confidence ({TEST_NAME})."
    return Comparison(name, label, test.confidence, summary)


def _percent(confidence: float) -> str:
    """Rounded down, so 99.96 % never reads as a certain 100 %."""
    return f"{int(confidence * 1000) / 10:g} %"
