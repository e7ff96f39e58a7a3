"""The Neo4j adapter: neomodel's connection, running the port's Cypher as it is."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

from neo4j import GraphDatabase, NotificationDisabledClassification, NotificationMinimumSeverity
from neo4j.exceptions import DriverError, Neo4jError, ServiceUnavailable, SessionExpired
from neomodel import db

from graph.engine import GraphUnavailable, Row
from graph.schema import Kind

# What the server says about these is expected here: a type absent from a still empty graph
# (UNRECOGNIZED), and the cartesian product of two indexed lookups by id (a PERFORMANCE hint).
QUIET = [NotificationDisabledClassification.UNRECOGNIZED, NotificationDisabledClassification.PERFORMANCE]
UNREACHABLE = (ServiceUnavailable, SessionExpired, DriverError, OSError)


class Neo4jEngine:
    name = "neo4j"

    def __init__(self, url: str) -> None:
        self.url = url
        parts = urlsplit(url)
        try:
            self._driver = GraphDatabase.driver(
                f"{parts.scheme}://{parts.hostname}:{parts.port or 7687}",
                auth=(unquote(parts.username or "neo4j"), unquote(parts.password or "")),
                notifications_min_severity=NotificationMinimumSeverity.WARNING,
                notifications_disabled_classifications=QUIET,
                connection_timeout=5,
            )
        except ValueError as exc:
            raise GraphUnavailable(f"Cannot use the Neo4j address {_redacted(url)}: {exc}") from exc
        try:
            db.set_connection(driver=self._driver)
        except (*UNREACHABLE, Neo4jError) as exc:
            self._driver.close()
            raise GraphUnavailable(f"Cannot reach Neo4j at {_redacted(url)}: {exc}") from exc

    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        try:
            results, _ = db.cypher_query(cypher, dict(params or {}))
        except UNREACHABLE as exc:
            raise GraphUnavailable(f"Neo4j at {_redacted(self.url)} is unavailable: {exc}") from exc
        return [tuple(row) for row in results]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            with db.transaction:
                yield
        except UNREACHABLE as exc:
            raise GraphUnavailable(f"Neo4j at {_redacted(self.url)} is unavailable: {exc}") from exc

    def install_schema(self) -> None:
        from graph import neo4j_models

        # neomodel reports constraints that already exist on stdout; they are expected here
        try:
            for node_class in neo4j_models.NODE_CLASSES:
                db.install_labels(node_class, stdout=io.StringIO())
        except UNREACHABLE as exc:
            raise GraphUnavailable(f"Neo4j at {_redacted(self.url)} is unavailable: {exc}") from exc

    def typed(self, expression: str, kind: Kind) -> str:
        return expression  # parameters keep their Python types

    def close(self) -> None:
        db.close_connection()
        self._driver.close()


def _redacted(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"
