from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from customers.models import Purchase
from recommendations.evaluation import random_split, time_split
from recommendations.models import ModelVersion
from recommendations.selectors import product_popularity, repurchase_products
from tests.factories import Store

RECOMMENDERS = [
    "global popularity", "popularity in interests", "repeat purchases", "co-purchase item-kNN", "graph 2-hop",
    "LightFM collaborative", "LightFM hybrid", "blended (served)",
]  # fmt: skip


def test_every_recommender_is_compared_and_kept_with_the_model(trained: Store, tmp_path: Path) -> None:
    out = StringIO()
    report = tmp_path / "eval.json"

    call_command(
        "evaluate_recommenders", "--split", "time", "--test-weeks", "4", "--json", str(report), stdout=out
    )

    result = json.loads(report.read_text())
    assert [row["recommender"] for row in result["rows"]] == RECOMMENDERS
    for row in result["rows"]:
        assert 0 <= row["precision"] <= 1
        assert 0 <= row["recall"] <= 1
        assert 0 <= row["ndcg"] <= 1
        assert 0 <= row["auc"] <= 1
        assert 0 < row["coverage"] <= 1
    by_name = {row["recommender"]: row for row in result["rows"]}
    assert by_name["repeat purchases"]["precision"] > by_name["global popularity"]["precision"]
    assert ModelVersion.objects.get(active=True).metrics["time"] == result
    assert "NDCG@10" in out.getvalue()


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
    first_sale = Purchase.objects.order_by("purchased_at").values_list("purchased_at", flat=True)[0]
    assert repurchase_products()
    assert product_popularity()
    assert repurchase_products(before=first_sale) == set() == set(product_popularity(before=first_sale))


def test_a_random_split_is_reproducible_by_its_seed(store: Store) -> None:
    first, again, other = random_split(0.25, seed=3), random_split(0.25, seed=3), random_split(0.25, seed=4)

    held_out = sum(len(products) for products in first.test.values())
    assert (first.test, first.train) == (again.test, again.train)
    assert first.test != other.test
    assert held_out / (held_out + len(first.train)) == pytest.approx(0.25, abs=0.03)


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
