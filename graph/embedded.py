"""The embedded adapter: LadybugDB (a maintained fork of Kùzu) in a directory under ``var/``.

Only one process may open a database directory for writing, so in embedded
mode the platform process (web, worker and beat in one) owns the graph.
Rebuilds write a new generation directory and then switch ``CURRENT`` to it, so
readers never see a half-built graph.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ladybug

from graph.engine import GraphUnavailable, Row
from graph.schema import EDGE_TYPES, NODE_TYPES, Kind


class LadybugEngine:
    name = "embedded"

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._database = ladybug.Database(str(path))
            self._connection = ladybug.Connection(self._database)
        except RuntimeError as exc:
            raise GraphUnavailable(
                f"Cannot open the embedded graph at {path}: {exc}. Only one process may open it; "
                "stop the running platform, or run `graph rebuild` to write a fresh one."
            ) from exc
        # One connection, used by one thread at a time; a transaction holds it throughout.
        self._lock = threading.RLock()

    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        with self._lock:
            return _rows(self._connection, cypher, params)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            self._connection.execute("BEGIN TRANSACTION")
            try:
                yield
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def install_schema(self) -> None:
        for node in NODE_TYPES:
            columns = "".join(f", {name} {kind}" for name, kind in node.properties.items())
            self.run(f"CREATE NODE TABLE IF NOT EXISTS {node.label}(id INT64 PRIMARY KEY{columns})")
        for edge in EDGE_TYPES:
            columns = "".join(f", {name} {kind}" for name, kind in edge.properties.items())
            self.run(
                f"CREATE REL TABLE IF NOT EXISTS {edge.type}(FROM {edge.source} TO {edge.target}{columns})"
            )

    def typed(self, expression: str, kind: Kind) -> str:
        return f"CAST({expression} AS {kind})"

    def close(self) -> None:
        with self._lock:
            self._connection.close()
            self._database.close()


def _rows(connection: ladybug.Connection, cypher: str, params: Mapping[str, Any] | None) -> list[Row]:
    result = connection.execute(cypher, dict(params or {}))
    assert not isinstance(result, list), "one statement at a time"  # noqa: S101 - our own Cypher
    rows = []
    while result.has_next():
        rows.append(tuple(result.get_next()))
    result.close()
    return rows


class GraphDirectory:
    """Generations of the embedded graph under one root; ``CURRENT`` names the live one."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def current(self) -> Path | None:
        """The live generation, or None when there is none (never built, or its files are gone)."""
        try:
            name = self.pointer.read_text().strip()
        except FileNotFoundError:
            return None
        path = self.root / name
        return path if name and path.exists() else None

    def new_generation(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root / datetime.now(UTC).strftime("gen-%Y%m%dT%H%M%S%f")

    def switch_to(self, generation: Path) -> None:
        """Point ``CURRENT`` at ``generation`` atomically, then drop every other generation."""
        staged = self.pointer.with_suffix(".next")
        staged.write_text(generation.name)
        os.replace(staged, self.pointer)
        for other in self.root.glob("gen-*"):
            if other.name != generation.name and not other.name.startswith(generation.name):
                _remove(other)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
