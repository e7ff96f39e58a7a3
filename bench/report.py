"""Every benchmark ends the same way: its figures saved as JSON and printed as a table."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def publish(
    name: str, figures: dict[str, Any], *, title: str, columns: Sequence[str], rows: Iterable[Sequence[str]]
) -> None:
    """Write ``bench/results/<name>.json`` (with the time measured) and print the table."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    result = {"benchmark": name, "measured_at": datetime.now(UTC).isoformat(timespec="seconds"), **figures}
    path.write_text(json.dumps(result, indent=2) + "\n")
    table = Table(title=title)
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*row)
    console = Console()
    console.print(table)
    console.print(f"Saved {path.relative_to(ROOT)}")
