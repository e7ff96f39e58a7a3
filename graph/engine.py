"""What the port needs from a graph database: run Cypher, group writes, install the schema."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol

from graph.schema import Kind

Row = tuple[Any, ...]


class GraphUnavailable(Exception):
    """The graph database cannot be reached or opened; the message says why and what to do."""


class GraphEngine(Protocol):
    name: str

    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run one statement with parameters; the rows it returns."""

    def transaction(self) -> AbstractContextManager[None]:
        """Statements run inside commit together, or not at all."""

    def install_schema(self) -> None:
        """Create what the schema declares (tables, constraints, indexes); idempotent."""

    def typed(self, expression: str, kind: Kind) -> str:
        """``expression`` as a value of ``kind``, where the dialect cannot infer it (all nulls)."""

    def close(self) -> None: ...
