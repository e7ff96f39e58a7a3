"""The Neo4j adapter: neomodel's connection, running the port's Cypher as it is."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from neo4j.exceptions import Neo4jError, ServiceUnavailable
from neomodel import db

from graph.engine import GraphUnavailable, Row
from graph.schema import Kind


class Neo4jEngine:
    name = "neo4j"

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            db.set_connection(url=url)
        except (ServiceUnavailable, Neo4jError, ValueError) as exc:
            raise GraphUnavailable(f"Cannot reach Neo4j at {_redacted(url)}: {exc}") from exc

    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        try:
            results, _ = db.cypher_query(cypher, dict(params or {}))
        except ServiceUnavailable as exc:
            raise GraphUnavailable(f"Neo4j at {_redacted(self.url)} is unavailable: {exc}") from exc
        return [tuple(row) for row in results]

    def run_each(self, cypher: str, param_sets: Sequence[Mapping[str, Any]]) -> list[list[Row]]:
        return [self.run(cypher, params) for params in param_sets]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with db.transaction:
            yield

    def install_schema(self) -> None:
        from graph import neo4j_models

        for node_class in neo4j_models.NODE_CLASSES:
            db.install_labels(node_class)

    def typed(self, expression: str, kind: Kind) -> str:
        return expression  # parameters keep their Python types

    def close(self) -> None:
        db.close_connection()


def _redacted(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"
