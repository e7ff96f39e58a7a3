"""What the import commands share about the file they are given."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError


def import_file(path: Path) -> tuple[Path, str]:
    """The file, checked to exist, and its name without ``.csv`` / ``.gz``."""
    if not path.is_file():
        raise CommandError(f"No such file: {path}")
    return path, path.name.removesuffix(".gz").removesuffix(".csv")


def rejects_path(name: str, given: Path | None) -> Path:
    """Where rejected lines go: the given path, else ``var/imports/<name>.rejects.csv``."""
    return Path(given) if given else settings.VAR_DIR / "imports" / f"{name}.rejects.csv"
