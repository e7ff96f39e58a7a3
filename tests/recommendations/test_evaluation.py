from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from recommendations.evaluation import random_split
from recommendations.models import ModelVersion
from tests.recommendations.conftest import Store

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


def test_a_random_split_is_reproducible_by_its_seed(store: Store) -> None:
    first, again, other = random_split(0.25, seed=3), random_split(0.25, seed=3), random_split(0.25, seed=4)

    held_out = sum(len(products) for products in first.test.values())
    assert (first.test, first.train) == (again.test, again.train)
    assert first.test != other.test
    assert held_out / (held_out + len(first.train)) == pytest.approx(0.25, abs=0.03)


@pytest.mark.parametrize("arguments", [["--test-fraction", "1.5"], ["--split", "time", "--test-weeks", "0"]])
def test_bad_arguments_get_a_readable_error(store: Store, arguments: list[str]) -> None:
    with pytest.raises(CommandError, match="must be"):
        call_command("evaluate_recommenders", *arguments, stdout=StringIO())
