"""What the import commands share about the file they are given."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from customers.importers.csv_files import ImportFileError


def import_file(path: Path) -> tuple[Path, str]:
    """The file, checked to exist, and its name without ``.csv`` / ``.gz``."""
    if not path.is_file():
        raise CommandError(f"No such file: {path}")
    return path, path.name.removesuffix(".gz").removesuffix(".csv")


def rejects_path(name: str, given: Path | None) -> Path:
    """Where rejected lines go: the given path, else ``var/imports/<name>.rejects.csv``."""
    return Path(given) if given else settings.VAR_DIR / "imports" / f"{name}.rejects.csv"


@contextmanager
def file_refusals(path: Path) -> Iterator[None]:
    """A file that cannot be imported, as a readable error: importers find out in their
    first pass, before they store anything."""
    try:
        yield
    except ImportFileError as exc:
        raise CommandError(f"{path} was refused: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path} is not in the encoding {exc.encoding}: {exc}") from exc
    except (OSError, EOFError) as exc:  # a corrupt or truncated .gz
        raise CommandError(f"Could not read {path}: {exc}") from exc
