"""Train a recommender version here and now (not on the training queue), then show what it
learnt from, the blend chosen with it and whether it serves."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from recommendations.display import RULE_COLUMNS, WEIGHT_COLUMNS, BlendSummary, blend_summary, text
from recommendations.models import ModelStatus, ModelVersion
from recommendations.services import (
    TRAINING_HARD_LIMIT_SECONDS,
    NotEnoughData,
    model_version_request,
    model_version_train,
)

NUMBER = re.compile(r"-|-?[\d,]*\.?\d+(e-?\d+)?")
DEMO_IMPORT = "python manage.py import_online_retail demo/online_retail_sample.csv"


class Command(BaseCommand):
    help = (
        "Train a recommender version now, in this process, and serve it; print its data sizes, "
        "training time, blend (weights, rules, validation figures). One version trains at a time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-activate",
            action="store_true",
            help="Keep serving the current version (serve the new one later from the admin).",
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Train only when no version is ready yet (make run); one already training is then no error.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # no markup: names and sentences from the data are printed as they are
        console = Console(file=cast(IO[str], self.stdout), markup=False, highlight=False, width=120)
        if options["if_missing"]:
            ready = ModelVersion.objects.filter(status=ModelStatus.READY).order_by("-active", "-pk").first()
            if ready is not None:
                console.print(
                    f"{_name(ready)} is ready{' and serving' if ready.active else ''}: not training."
                )
                return
        version, created = model_version_request(queue=False)
        if not created:
            busy = _busy(version)
            if options["if_missing"]:
                console.print(f"{busy} Not starting another.")
                return
            raise CommandError(busy)
        with PhaseProgress(console) as progress:
            version = _train(version, activate=not options["no_activate"], progress=progress)
        version.refresh_from_db()
        _report(console, version)


def _train(version: ModelVersion, *, activate: bool, progress: Callable[[str], None]) -> ModelVersion:
    """The service's training, its failures as sentences (``--traceback`` shows the cause)."""
    try:
        return model_version_train(activate=activate, version=version, progress=progress)
    except NotEnoughData as exc:
        raise CommandError(f"{exc} Import some first, e.g. {DEMO_IMPORT}") from exc
    except KeyboardInterrupt:  # the service marked the version failed
        raise CommandError(f"Interrupted: {_name(version)} is marked failed.", returncode=130) from None
    except Exception as exc:
        raise CommandError(
            f"Training {_name(version)} failed: {type(exc).__name__}: {exc} (kept as the version's error)."
        ) from exc


def _busy(version: ModelVersion) -> str:
    if version.status != ModelStatus.TRAINING:
        return f"Could not start a training: {version} is in the way."
    since = timezone.localtime(version.created_at).strftime("%Y-%m-%d %H:%M")
    return (
        f"{_name(version)} is already training (since {since}); one version trains at a time. "
        f"One that never finishes gives way {TRAINING_HARD_LIMIT_SECONDS // 60} minutes after it started."
    )


def _report(console: Console, version: ModelVersion) -> None:
    seconds = f" in {version.training_seconds:,.1f} s" if version.training_seconds is not None else ""
    console.print(f"{_name(version)} trained{seconds}.", style="bold")
    if version.data:
        console.print(
            _table(
                "Data",
                ["learnt from", "count"],
                [(k.replace("_", " "), text(v)) for k, v in version.data.items()],
            )
        )
    _print_blend(console, blend_summary(version.blend))
    serving = ModelVersion.objects.filter(active=True).first()
    if version.active:
        console.print(f"{_name(version)} now serves recommendations.")
    elif serving is not None:
        console.print(f"Not serving it: {_name(serving)} still serves (admin: Serve the selected version).")
    else:
        console.print("Not serving it, and no version serves: recommendations answer mode no_model.")


def _print_blend(console: Console, blend: BlendSummary) -> None:
    if not blend:
        console.print("No blend was kept with this version: serving uses its default weights and rules.")
        return
    if blend.chosen_on:
        console.print(f"Blend chosen on {blend.chosen_on}", soft_wrap=True)
    if blend.weights:
        console.print(_table("Blend weights", WEIGHT_COLUMNS, blend.weights))
    if blend.rules:
        console.print(_table("Blend rules", RULE_COLUMNS, blend.rules))
    if blend.figures:
        console.print(_table("Validation figures", blend.figure_columns, blend.figures))
    if blend.fallback:
        console.print(blend.fallback, style="yellow", soft_wrap=True)


def _table(title: str, columns: list[str], rows: Sequence[Sequence[str]]) -> Table:
    """Numbers to the right, words to the left."""
    table = Table(title=title, title_justify="left")
    for index, column in enumerate(columns):
        numbers = all(NUMBER.fullmatch(row[index]) for row in rows)
        table.add_column(column, justify="right" if numbers else "left")
    for row in rows:
        table.add_row(*row)
    return table


def _name(version: ModelVersion) -> str:
    return f"model v{version.pk}"


class PhaseProgress(Progress):
    """A spinner and the elapsed time per phase; called with each phase's name as it begins (the
    ``progress`` callback ``evaluate`` takes too)."""

    def __init__(self, console: Console) -> None:
        spinner = SpinnerColumn(finished_text="[green]✓")
        phase = TextColumn("{task.description}", markup=False)
        super().__init__(spinner, phase, TimeElapsedColumn(), console=console)

    def __call__(self, phase: str) -> None:
        self._end_phase(failed=False)
        self.add_task(phase, total=1)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._end_phase(failed=exc is not None)
        super().__exit__(exc_type, exc, tb)

    def _end_phase(self, *, failed: bool) -> None:
        if not self.tasks:
            return
        task = self.tasks[-1]
        if failed:
            self.update(task.id, description=f"{task.description}: failed")
        else:
            self.update(task.id, completed=1)
