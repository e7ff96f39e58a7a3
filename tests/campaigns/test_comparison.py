"""Which variant leads, and how sure: the two-proportion z-test and the sentence staff read."""

from __future__ import annotations

import pytest

from campaigns.comparison import campaign_comparison
from campaigns.selectors import VariantResult
from campaigns.statistics import Proportion, two_proportion_z_test


def result(label: str, sent: int, opened: int, clicked: int) -> VariantResult:
    return VariantResult(label=label, template=f"T{label}", recipients=sent, sent=sent, skipped=0,
                         held_for_complaint=0, failed=0, delivered=sent, opened=opened, clicked=clicked,
                         unsubscribed=0, bounced=0, complained=0)  # fmt: skip


def test_the_z_test_gives_the_textbook_figures() -> None:
    # R: prop.test(c(120, 90), c(1000, 1000), correct = FALSE): X-squared = 4.7885, p-value = 0.02865
    test = two_proportion_z_test(Proportion(120, 1000), Proportion(90, 1000))

    assert test is not None
    assert test.z**2 == pytest.approx(4.7885, abs=1e-4)
    assert test.p_value == pytest.approx(0.02865, abs=1e-5)
    assert test.confidence == pytest.approx(0.97135, abs=1e-5)
    mirrored = two_proportion_z_test(Proportion(90, 1000), Proportion(120, 1000))
    assert mirrored is not None
    assert mirrored.z == pytest.approx(-test.z)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (Proportion(2, 40), Proportion(0, 40)),  # too few events for the normal approximation
        (Proportion(40, 40), Proportion(39, 40)),  # too few non-events
        (Proportion(5, 100), Proportion(0, 0)),  # nothing sent
        (Proportion(0, 500), Proportion(0, 500)),  # no event at all
    ],
)
def test_without_enough_data_there_is_no_test(a: Proportion, b: Proportion) -> None:
    assert two_proportion_z_test(a, b) is None


def test_no_variant_leads_until_the_metric_has_data() -> None:
    early = campaign_comparison("clicks", [result("A", 40, 20, 2), result("B", 40, 25, 0)])

    assert early.leader is None
    assert early.confidence is None
    assert early.summary == "Not enough data yet to compare the click rates (two-proportion z-test)."


def test_the_leader_is_named_with_its_confidence_on_the_campaigns_metric() -> None:
    results = [result("A", 1000, 300, 90), result("B", 1000, 250, 120)]

    on_clicks = campaign_comparison("clicks", results)
    on_opens = campaign_comparison("opens", results)

    assert on_clicks.leader == "B"
    assert on_clicks.summary == "B leads on click rate, 97.1 % confidence (two-proportion z-test)."
    assert on_opens.leader == "A"
    assert on_opens.metric == "open rate"
    assert on_opens.summary.startswith("A leads on open rate, 98.")


def test_the_leader_is_compared_with_the_runner_up_and_equal_rates_are_level() -> None:
    three = campaign_comparison(
        "clicks", [result("A", 1000, 0, 50), result("B", 1000, 0, 120), result("C", 1000, 0, 90)]
    )
    level = campaign_comparison("clicks", [result("A", 1000, 0, 90), result("B", 1000, 0, 90)])
    alone = campaign_comparison("clicks", [result("A", 1000, 0, 90)])

    assert (three.leader, three.confidence) == ("B", pytest.approx(0.97135, abs=1e-5))  # B against C
    assert level.leader is None
    assert level.summary == "A and B are level on click rate (two-proportion z-test)."
    assert alone.summary == "One variant: nothing to compare."
