"""Every benchmark ends the same way: its figures saved as JSON and printed as a table."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/marketing_bench"


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


def percentiles(timings: list[float]) -> dict[str, float]:
    """p50 and p99 of durations in seconds, in milliseconds."""
    ordered = sorted(timings)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
    }


def measure_in_child(module: str, **settings: str) -> dict[str, Any]:
    """Run ``bench.<module>.measure()`` in a Django process on the bench database (the embedded
    graph and a local cache unless ``settings`` name a Neo4j or a Redis) and return the JSON it
    prints last."""
    env = {
        **{name: value for name, value in os.environ.items() if name not in ("NEO4J_URL", "REDIS_URL")},
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", BENCH_DATABASE_URL),
        "VAR_DIR": str(ROOT / "var" / "bench"),
        "DJANGO_SETTINGS_MODULE": "marketing_platform.settings",
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    child = subprocess.run(
        [sys.executable, "-c", f"from bench.{module} import measure; measure()"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if child.returncode != 0:
        raise SystemExit(f"bench {module} failed:\n{child.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return figures


def free_port() -> int:
    """A TCP port on 127.0.0.1 no one listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
