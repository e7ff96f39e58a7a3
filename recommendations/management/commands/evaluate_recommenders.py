"""Compare every recommender on the platform's data, print the table, keep it with the model version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from recommendations.evaluation import PROTOCOLS, K, Row, Split, evaluate, random_split, time_split
from recommendations.models import ModelVersion
from recommendations.tuning import choose_blend


class Command(BaseCommand):
    help = (
        "Evaluate the recommenders (popularity, interests, repeat purchases, item-kNN, graph 2-hop, LightFM "
        "collaborative and hybrid, the served blend) on a time or random split."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--split",
            choices=("time", "validation", "random"),
            default="time",
            help="validation: the time split's weeks before its test weeks (to tune on).",
        )
        parser.add_argument(
            "--test-weeks",
            type=int,
            default=4,
            help="time and validation splits: weeks tested after the cut.",
        )
        parser.add_argument("--test-fraction", type=float, default=0.25, help="random split: pairs held out.")
        parser.add_argument("--seed", type=int, default=1, help="random split: the shuffle.")
        parser.add_argument("--json", type=Path, help="Also write the results here.")
        parser.add_argument(
            "--model-version", type=int, help="Keep them with this version (default: the active one)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), highlight=False, width=120)
        if options["test_weeks"] <= 0:
            raise CommandError("--test-weeks must be positive.")
        if not 0 < options["test_fraction"] < 1:
            raise CommandError("--test-fraction must be between 0 and 1.")
        version = self._version(options["model_version"])
        try:
            split: Split = (
                random_split(options["test_fraction"], options["seed"])
                if options["split"] == "random"
                else time_split(options["test_weeks"], validation=options["split"] == "validation")
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        tested = f"{len(split.train.signals):,} training signals, {len(split.test):,} customers tested"
        console.print(f"Split: {split.description}; {tested}.")
        with console.status("choosing the blend on the training period…") as status:
            choice = choose_blend(split.train)
            console.print(
                f"Served blend, chosen on {choice.chosen_on or 'nothing'}: {choice.blend.describe()}."
            )
            if choice.fallback:
                console.print(choice.fallback)
            rows = evaluate(split, choice.blend, progress=lambda name: status.update(f"evaluating {name}…"))
        console.print(comparison(rows, f"Recommenders, {split.name} split (k = {K})"))
        result = {
            "split": split.name,
            "description": split.description,
            "blend": choice.as_json(),
            "k": K,
            "rows": [r.as_dict() for r in rows],
        }
        if version is not None:
            version.metrics = {**version.metrics, split.name: result}
            version.save(update_fields=["metrics"])
            console.print(f"Kept with {version}.")
        if options["json"]:
            options["json"].write_text(json.dumps(result, indent=2) + "\n")
            console.print(f"Wrote {options['json']}.")

    @staticmethod
    def _version(pk: int | None) -> ModelVersion | None:
        """The version the results are kept with: the one asked for (checked before the long
        evaluation starts), otherwise the active one, if any."""
        if pk is None:
            return ModelVersion.objects.filter(active=True).first()
        version = ModelVersion.objects.filter(pk=pk).first()
        if version is None:
            raise CommandError(f"No model version {pk}.")
        return version


def comparison(rows: list[Row], title: str) -> Table:
    """Both protocols side by side: precision, recall and NDCG at k for each recommender."""
    caption = "; ".join(f"{key}: {name}" for key, name in PROTOCOLS.items())
    table = Table(
        title=title, caption=f"{caption} (owned products neither recommended nor counted under new)"
    )
    table.add_column("recommender")
    for protocol in PROTOCOLS:
        for metric in (f"P@{K}", f"R@{K}", f"NDCG@{K}"):
            table.add_column(f"{metric} {protocol}", justify="right")
    table.add_column("coverage", justify="right")
    by_name: dict[str, dict[str, Row]] = {}
    for row in rows:
        by_name.setdefault(row.recommender, {})[row.protocol] = row
    for name, protocols in by_name.items():
        cells = [
            f"{getattr(protocols[p], m):.4f}" for p in PROTOCOLS for m in ("precision", "recall", "ndcg")
        ]
        table.add_row(name, *cells, f"{protocols['again'].coverage:.1%}")
    return table
