"""What the import commands share about the file they are given."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from rich.table import Table

from customers.importers.csv_files import ImportFileError
from customers.services.retail_import import ImportReport


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


def report_table(title: str, report: ImportReport, *, unit: str = "lines", updates: bool = False) -> Table:
    """What an import did with the file's lines: read, stored, updated (for ``updates``, an
    import whose lines may change what is stored), duplicate, and rejected by reason."""
    table = Table(title=title)
    table.add_column(unit)
    table.add_column("count", justify="right")
    counts = [("read", report.read), ("stored", report.stored)]
    counts += [("updated", report.updated)] if updates else []
    counts += [("duplicate", report.duplicate), ("rejected", report.rejected_total)]
    counts += [(f"  rejected: {reason}", count) for reason, count in sorted(report.rejected.items())]
    for label, count in counts:
        table.add_row(label, f"{count:,}")
    return table
