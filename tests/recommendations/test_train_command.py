"""``manage.py train_recommender``: trains here and now, shows what it learnt from, the blend and
whether it serves; one training at a time; without data a sentence and exit status 1."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line

from recommendations.display import blend_summary
from recommendations.models import ModelStatus, ModelVersion
from recommendations.services import model_version_request, model_version_train
from tests.factories import Shop
from tests.support import BLEND, QUICK


@pytest.fixture
def quick(settings: Any) -> None:
    settings.RECOMMENDER = {**settings.RECOMMENDER, **QUICK}


def train(*options: str) -> str:
    out = StringIO()
    call_command("train_recommender", *options, stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("quick")
def test_the_command_trains_serves_and_shows_what_it_chose(shop: Shop) -> None:
    output = train()

    version = ModelVersion.objects.get()
    assert (version.status, version.active) == (ModelStatus.READY, True)
    assert f"model v{version.pk} trained in {version.training_seconds:,.1f} s." in output
    assert re.search(rf"customers\s*│\s*{version.data['customers']}\s", output)
    assert re.search(rf"interactions\s*│\s*{version.data['interactions']}\s", output)
    shown = blend_summary(version.blend)  # whatever the training chose; old versions keep none
    for source, weight, _ in shown.weights:
        assert re.search(rf"{source}\s*│\s*{re.escape(weight)}\s", output)
    for rule, value in shown.rules:
        assert rule in output
        assert value in output
    if not shown:
        assert "No blend was kept with this version: serving uses its default weights and rules." in output
    assert output.rstrip().endswith(f"model v{version.pk} now serves recommendations.")


@pytest.mark.usefixtures("quick")
def test_no_activate_keeps_the_serving_version_and_if_missing_trains_once(shop: Shop) -> None:
    first = train("--if-missing")
    again = train("--if-missing")
    kept = train("--no-activate")

    serving, new = ModelVersion.objects.order_by("pk")
    assert (serving.active, new.status, new.active) == (True, ModelStatus.READY, False)
    assert f"model v{serving.pk} now serves recommendations." in first
    assert again == f"model v{serving.pk} is ready and serving: not training.\n"
    assert f"Not serving it: model v{serving.pk} still serves" in kept


def test_a_kept_blend_is_shown_as_tables(shop: Shop, quick: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def trained_with_a_blend(**options: Any) -> ModelVersion:
        version = model_version_train(**options)
        ModelVersion.objects.filter(pk=version.pk).update(blend=BLEND)
        return version

    monkeypatch.setattr(
        "recommendations.management.commands.train_recommender.model_version_train", trained_with_a_blend
    )

    output = train()

    assert f"Blend chosen on {BLEND['chosen_on']}\n" in output
    assert re.search(r"graph\s*│\s*0.35\s*│ the graph's walks", output)
    assert re.search(r"bought products offered again\s*│ never", output)
    assert re.search(r"bestsellers counted over\s*│ the last 28 days", output)
    assert re.search(r"blend \(chosen\)\s*│\s*0.200\s*│\s*0.080\s*│\s*0.150", output)
    assert BLEND["fallback"] in output


@pytest.mark.usefixtures("quick")
def test_a_version_already_training_is_said_and_nothing_more_starts(shop: Shop) -> None:
    waiting, _ = model_version_request(queue=False)

    with pytest.raises(
        CommandError, match=rf"^model v{waiting.pk} is already training \(since .*\); one version"
    ):
        train()
    on_its_way = train("--if-missing")  # make run: the missing model is on its way

    assert list(ModelVersion.objects.values_list("pk", "status")) == [(waiting.pk, ModelStatus.TRAINING)]
    assert "is already training" in on_its_way
    assert on_its_way.rstrip().endswith("Not starting another.")


@pytest.mark.django_db
def test_an_interrupted_training_gives_up_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(**options: Any) -> None:
        raise KeyboardInterrupt  # Ctrl-C while the service reads the data

    monkeypatch.setattr("recommendations.services.history", interrupted)

    with pytest.raises(CommandError, match=r"^Interrupted: model v\d+ is marked failed\.$") as stopped:
        train()

    assert stopped.value.returncode == 130
    assert ModelVersion.objects.get().status == ModelStatus.FAILED
    assert model_version_request(queue=False)[1]  # the next training may start


@pytest.mark.django_db(transaction=True)
def test_without_data_it_says_what_to_import_and_exits_with_1(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "train_recommender"])

    errors = capsys.readouterr().err
    assert exited.value.code == 1
    assert "No purchases or events to learn from yet. Import some first, e.g. python manage.py " in errors
    assert "Traceback" not in errors
    assert ModelVersion.objects.get().status == ModelStatus.FAILED


def test_a_blend_reads_as_rows() -> None:
    shown = blend_summary(BLEND)

    assert shown.weights[2] == ("graph", "0.35", "the graph's walks")
    assert shown.rules == [
        ("bought products offered again", "never"),
        ("bestsellers counted over", "the last 28 days"),
        ("products per category, at most", "3"),
    ]
    assert shown.figure_columns == ["name", "precision", "recall", "ndcg"]
    assert shown.figures[1] == ["blend (chosen)", "0.200", "0.080", "0.150"]


REGULARS = "when bought on 2+ orders"
KINDS = f"{REGULARS}, or at least {{}} % of their buyers bought again"


@pytest.mark.parametrize(
    ("rules", "offered"),
    [
        ({"offer_again": "repeated", "repurchase_share": 0.02}, REGULARS),
        ({"offer_again": "kinds", "repurchase_share": 0.05}, KINDS.format(5)),
        ({"offer_again": "kinds", "repurchase_share": 0.0}, "always"),
        ({"repurchase_share": 0.02}, KINDS.format(2)),
        ({"repurchase_share": None}, "never"),
    ],
)  # fmt: skip
def test_what_is_offered_again_reads_as_one_rule(rules: dict[str, Any], offered: str) -> None:
    assert blend_summary({"rules": {**rules, "popular_days": None}}).rules == [
        ("bought products offered again", offered),
        ("bestsellers counted over", "all time"),
    ]


@pytest.mark.parametrize(
    "blend", [{}, None, [], "x", {"weights": [1, 2], "rules": "none", "figures": {"a": 1}, "chosen_on": 3}]
)
def test_a_blend_with_nothing_readable_shows_nothing(blend: object) -> None:
    assert not blend_summary(blend)


def test_a_rule_of_its_own_reads_as_words() -> None:
    assert blend_summary({"rules": {"max_per_category": 5, "discovery": True}}).rules == [
        ("products per category, at most", "5"),
        ("one place for a category never bought from", "yes"),
    ]


def test_odd_parts_of_a_blend_are_shown_as_they_are() -> None:
    shown = blend_summary(
        {"figures": [1, {"precision": None}], "rules": {"repurchase_share": "often", "new_rule": [1]}}
    )

    assert shown.rules == [
        ("bought products offered again", "when bought on 2+ orders, or a re-purchase kind"),
        ("new rule", "[1]"),
    ]
    assert (shown.figure_columns, shown.figures) == (["name", "precision"], [["-", "-"]])
