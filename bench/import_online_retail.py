"""Full Online Retail import into PostgreSQL: first run and re-run, rate and peak memory.

Each import runs as its own ``manage.py import_online_retail`` process against a
freshly created database, so peak memory is that process's maximum RSS.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from rich.console import Console

from bench.report import BENCH_DATABASE_URL, ROOT, publish

DATA = ROOT.parent / "shared" / "data" / "online-retail" / "online_retail_2010_2011.csv.gz"
GOAL_SECONDS = 60
GOAL_PEAK_MB = 1024


def _recreate_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def _manage(env: dict[str, str], *args: str) -> tuple[float, float, str]:
    """Run a management command; return wall seconds, peak RSS in MB and its output."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{output}")
    return seconds, usage.ru_maxrss / 1024, output


def run() -> None:
    console = Console()
    if not DATA.exists():
        console.print(f"[yellow]skipped: {DATA} is absent (the full dataset lives in ../shared)")
        return
    url = os.environ.get("BENCH_DATABASE_URL", BENCH_DATABASE_URL)
    env = {**os.environ, "DATABASE_URL": url, "VAR_DIR": str(ROOT / "var" / "bench")}
    env.pop("REDIS_URL", None)
    _recreate_database(url)
    _manage(env, "migrate", "--noinput", "-v0")
    rows = 541_909
    runs: dict[str, dict[str, Any]] = {}
    for label in ("first", "rerun"):
        console.print(f"Importing the full file ({label} run)…")
        report = ROOT / "var" / "bench" / f"import-{label}.json"
        seconds, peak_mb, _ = _manage(env, "import_online_retail", str(DATA), "--report", str(report))
        runs[label] = {
            "seconds": round(seconds, 2),
            "rows_per_second": round(rows / seconds),
            "peak_memory_mb": round(peak_mb, 1),
            "import_report": json.loads(report.read_text()),
        }
    with psycopg2.connect(url) as conn:
        server_version = conn.server_version
    major, minor = divmod(server_version, 10_000)
    database = f"PostgreSQL {major}.{minor}"
    publish(
        "import_online_retail",
        {
            "rows_read": rows,
            "database": database,
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "system": platform.platform(),
            },
            "goals": {"seconds_each": GOAL_SECONDS, "peak_memory_mb": GOAL_PEAK_MB},
            "runs": runs,
        },
        title=f"Full Online Retail import ({rows:,} rows) into {database}",
        columns=("run", "seconds", "rows/s", "peak memory (MB)", "goal met"),
        rows=[
            (
                label,
                f"{f['seconds']:.1f}",
                f"{f['rows_per_second']:,}",
                f"{f['peak_memory_mb']:.0f}",
                "yes" if f["seconds"] <= GOAL_SECONDS and f["peak_memory_mb"] <= GOAL_PEAK_MB else "NO",
            )
            for label, f in runs.items()
        ],
    )
