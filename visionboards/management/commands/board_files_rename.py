"""Move board files still under guessable names to random ones (a release's one-off step)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from visionboards.services import vision_board_files_rename


class Command(BaseCommand):
    help = "Give board PNGs stored as customer-{pk}-v{n}.png random names; safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        moved = vision_board_files_rename()
        self.stdout.write(f"Moved {moved} board file(s) to random names.")
