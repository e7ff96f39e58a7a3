"""Rebuild every analytics aggregate from the source rows; safe to rerun."""

from __future__ import annotations

import time
from typing import IO, Any, cast

from django.core.management.base import BaseCommand
from rich.console import Console

from analytics.services.recovery import aggregates_rebuild
from marketing_platform.progress import RichProgress


class Command(BaseCommand):
    help = (
        "Recompute daily activity, customer engagement, purchase months and campaign performance from "
        "scratch, in one transaction (refreshes wait for it)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        started = time.perf_counter()
        with RichProgress(console) as progress:
            counts = aggregates_rebuild(progress=progress)
        for table, rows in counts.rows.items():
            console.print(f"  {table:<22} {rows:>10,} rows")
        console.print(
            f"Rebuilt in {time.perf_counter() - started:.1f} s ({counts.changes:,} pending changes included)."
        )
