"""Give demo products a photo where one fits; safe to run again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.demo_photos import PhotoRulesError
from catalog.services import demo_photos_attach

DEFAULT_FOLDER = Path(settings.BASE_DIR) / "demo" / "product-images"


class Command(BaseCommand):
    help = "Attach the demo photos (a folder with matches.csv) to products without an image that they fit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            attached = demo_photos_attach(options["folder"])
        except PhotoRulesError as exc:
            raise CommandError(str(exc)) from exc
        for file, count in attached.items():
            self.stdout.write(f"  {file}: {count} product(s)")
        self.stdout.write(
            f"Photos attached to {sum(attached.values())} product(s); the others get typographic tiles."
        )
