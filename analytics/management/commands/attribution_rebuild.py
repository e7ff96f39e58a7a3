"""Recompute attribution from the source rows: touches, conversions and their daily figures."""

from __future__ import annotations

import time
from typing import IO, Any, cast

from django.core.management.base import BaseCommand
from rich.console import Console

from analytics.attribution_refresh import attribution_rebuild
from graph.management.commands.graph import StepPrinter


class Command(BaseCommand):
    help = "Recompute attribution (touches, conversions, strategy and campaign figures) from scratch."

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        console.print("Rebuilding attribution from impressions, click events and purchases:")
        started = time.perf_counter()
        counts = attribution_rebuild(progress=StepPrinter(console))
        console.print(
            f"Rebuilt in {time.perf_counter() - started:.1f} s: {counts.touches:,} touches, "
            f"{counts.conversions:,} conversions."
        )
