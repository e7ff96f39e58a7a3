from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from customers.models import Customer, Purchase
from customers.ownership import acquisitions
from recommendations.dataset import history
from recommendations.evaluation import Evaluation, Split, random_split, time_split
from recommendations.market import market_of
from recommendations.models import ModelVersion
from recommendations.selectors import active_recommender, shoppers
from recommendations.serving import graph_candidates, recommendations_for_many
from tests.factories import Store

RECOMMENDERS = [
    "global popularity", "popularity in interests", "repeat purchases", "co-purchase item-kNN", "graph 2-hop",
    "customers like you, lately", "bought together (EASE), lately",
    "stock LightFM", "LightFM collaborative", "LightFM hybrid", "blended (served)",
]  # fmt: skip


def test_every_recommender_is_compared_under_both_protocols_and_kept_with_the_model(
    trained: Store, tmp_path: Path
) -> None:
    out = StringIO()
    report = tmp_path / "eval.json"

    call_command(
        "evaluate_recommenders", "--split", "time", "--test-weeks", "4", "--json", str(report), stdout=out
    )

    result = json.loads(report.read_text())
    assert [(row["recommender"], row["protocol"]) for row in result["rows"]] == [
        (name, protocol) for name in RECOMMENDERS for protocol in ("new", "again")
    ]
    for row in result["rows"]:
        assert 0 <= row["precision"] <= 1
        assert 0 <= row["recall"] <= 1
        assert 0 <= row["ndcg"] <= 1
        assert 0 < row["coverage"] <= 1
    by_name = {(row["recommender"], row["protocol"]): row for row in result["rows"]}
    repeat_again, popular_again = by_name["repeat purchases", "again"], by_name["global popularity", "again"]
    assert repeat_again["precision"] > popular_again["precision"]
    # with what each customer had left out, repeating it finds nothing popularity would not
    assert by_name["repeat purchases", "new"]["precision"] <= by_name["global popularity", "new"]["precision"]
    assert result["blend"]["weights"]
    assert ModelVersion.objects.get(active=True).metrics["time"] == result
    assert "NDCG@10 new" in out.getvalue()
    assert "again: re-purchases allowed" in out.getvalue()


def test_the_validation_weeks_come_before_the_test_weeks_and_see_only_their_past(store: Store) -> None:
    test, validation = time_split(4), time_split(4, validation=True)
    assert test.cutoff is not None
    assert validation.cutoff is not None

    assert test.cutoff - validation.cutoff == timedelta(weeks=4)
    tested = Purchase.objects.filter(customer_id__in=validation.test)
    for customer_id, products in validation.test.items():
        moments = tested.filter(customer_id=customer_id, product_id__in=products).values_list(
            "purchased_at", flat=True
        )
        assert any(validation.cutoff <= moment < test.cutoff for moment in moments)
    assert all(signal.moment < validation.cutoff for signal in validation.train.signals)
    assert market_of(validation.train.purchases, None).end < validation.cutoff  # type: ignore[operator]


def test_a_random_split_is_reproducible_by_its_seed(store: Store) -> None:
    first, again, other = random_split(0.25, seed=3), random_split(0.25, seed=3), random_split(0.25, seed=4)

    held_out = sum(len(products) for products in first.test.values())
    pairs = {(p.customer_id, p.product_id) for p in acquisitions()}
    assert (first.test, first.train) == (again.test, again.train)
    assert first.test != other.test
    assert held_out / len(pairs) == pytest.approx(0.25, abs=0.03)
    kept = {(p.customer_id, p.product_id) for p in first.train.purchases}
    assert not any(
        product in kept for c, products in first.test.items() for product in [(c, p) for p in products]
    )


def test_evaluation_and_serving_give_the_same_top_ten(trained: Store) -> None:
    """The evaluation's served blend, given what serving knows now (every purchase, the active
    model and blend, the live graph), is what the API serves."""
    active = active_recommender()
    assert active is not None
    customers = sorted(
        Customer.objects.filter(purchases__isnull=False).distinct().values_list("pk", flat=True)
    )[:40]
    evaluation = Evaluation(
        Split("now", history(), {pk: set() for pk in customers}, "everything"), model=active.trained
    )
    sources = evaluation.sources(shoppers(customers), graph=graph_candidates)

    evaluated = sources.served(active.blend)
    served = recommendations_for_many(customers, limit=10)

    assert {pk: [item.product_id for item in served[pk].items] for pk in customers} == evaluated
    assert any(len(products) == 10 for products in evaluated.values())


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--test-fraction", "1.5"], "must be between 0 and 1"),
        (["--split", "time", "--test-weeks", "0"], "must be positive"),
        (["--model-version", "999"], "No model version 999"),
    ],
)
def test_bad_arguments_get_a_readable_error(store: Store, arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("evaluate_recommenders", *arguments, stdout=StringIO())
