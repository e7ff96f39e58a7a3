"""Compare the analytics aggregates with a from-scratch recomputation; exit 1 when they differ."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from analytics.services.recovery import TableDrift, aggregates_verify
from analytics.services.refresh import aggregates_refresh


class Command(BaseCommand):
    help = (
        "Apply pending changes (a refresh), then compare every aggregate table with a from-scratch "
        "recomputation; exit code 1 on a difference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-refresh",
            action="store_true",
            help="Compare as the tables stand, pending changes unapplied.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), highlight=False, width=160)
        if not options["no_refresh"]:
            aggregates_refresh()
        report = aggregates_verify()
        table = Table(title="analytics verify")
        for column in ("table", "expected", "stored", "missing", "extra", "differing"):
            table.add_column(column, justify="left" if column == "table" else "right")
        for drift in report.tables:
            table.add_row(
                drift.table, f"{drift.expected:,}", f"{drift.found:,}", _examples(drift.missing),
                _examples(drift.extra), str(len(drift.differing)), style="red" if drift.drifted else None,
            )  # fmt: skip
        console.print(table)
        for drift in report.tables:
            _print_differences(console, drift)
        if report.pending:
            console.print(f"{report.pending:,} changes are noted and not refreshed yet.")
        if report.drifted:
            raise CommandError(
                "The aggregates differ from their sources; `manage.py analytics_rebuild` mends them."
            )
        console.print("The aggregates match their sources.")


def _print_differences(console: Console, drift: TableDrift, shown: int = 5) -> None:
    """Each differing key (a few of them) with the columns that differ: stored → computed."""
    for key, stored, computed in drift.differing[:shown]:
        changes = ", ".join(
            f"{name} {was} → {then}"
            for name, was, then in zip(drift.columns, stored, computed, strict=True)
            if was != then
        )
        console.print(f"  {drift.table} {_key(key)}: {changes}")
    if len(drift.differing) > shown:
        console.print(f"  {drift.table}: {len(drift.differing) - shown:,} more differing")


def _key(key: tuple[Any, ...]) -> str:
    return "/".join(str(part) for part in key)


def _examples(keys: list[tuple[Any, ...]]) -> str:
    if not keys:
        return "0"
    shown = ", ".join(_key(key) for key in keys[:3])
    return f"{len(keys):,} ({shown}{', …' if len(keys) > 3 else ''})"
