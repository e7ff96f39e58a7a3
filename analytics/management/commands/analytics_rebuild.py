"""Rebuild every analytics aggregate from the source rows; safe to rerun."""

from __future__ import annotations

import time
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console

from analytics.selectors import aggregates_rebuilt_at
from analytics.services.recovery import aggregates_rebuild
from marketing_platform.progress import RichProgress


class Command(BaseCommand):
    help = (
        "Recompute daily activity, customer engagement, purchase months and campaign performance from "
        "scratch, in one transaction (refreshes wait for it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-never-built",
            action="store_true",
            help="Only on a database whose aggregates were never built (a release step: the refresh "
            "keeps them from then on).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        built = aggregates_rebuilt_at()
        if options["if_never_built"] and built is not None:
            console.print(f"The aggregates were built on {built:%Y-%m-%d %H:%M}; the refresh keeps them.")
            return
        started = time.perf_counter()
        with RichProgress(console) as progress:
            counts = aggregates_rebuild(progress=progress)
        for table, rows in counts.rows.items():
            console.print(f"  {table:<22} {rows:>10,} rows")
        console.print(
            f"Rebuilt in {time.perf_counter() - started:.1f} s ({counts.changes:,} pending changes included)."
        )
