"""The one way into the knowledge graph: batched upserts and deletes, counts, the named queries.

Everything here is Cypher both adapters accept. Labels, types and property
names come from ``graph.schema``, never from input; values always travel as
parameters.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

from graph import queries
from graph.engine import GraphEngine, GraphUnavailable, Row
from graph.schema import EDGE_TYPES, NODE_TYPES, EdgeType, End, NodeType
from marketing_platform.bulk import chunked

BATCH = 5000
Props = dict[str, Any]
EdgeKey = tuple[Any, ...]  # (source id, target id, *key properties)


class Graph:
    def __init__(self, engine: GraphEngine) -> None:
        self.engine = engine

    @property
    def adapter(self) -> str:
        return self.engine.name

    # writes ------------------------------------------------------------------
    def upsert_nodes(self, node: NodeType, rows: list[Props]) -> int:
        """Create or update nodes by ``id``; rows carry ``id`` and every property."""
        assignments = ", ".join(
            f"n.{name} = {self.engine.typed(f'r.{name}', kind)}" for name, kind in node.properties.items()
        )
        cypher = f"UNWIND $rows AS r MERGE (n:{node.label} {{id: r.id}}) SET {assignments}"
        for batch in chunked(rows, BATCH):
            self.engine.run(cypher, {"rows": batch})
        return len(rows)

    def delete_nodes(self, node: NodeType, ids: list[int]) -> None:
        """Delete nodes and every edge touching them."""
        for batch in chunked(ids, BATCH):
            self.engine.run(
                f"UNWIND $ids AS i MATCH (n:{node.label} {{id: i}}) DETACH DELETE n", {"ids": batch}
            )

    def create_edges(self, edge: EdgeType, rows: list[Props]) -> int:
        """Create edges between existing nodes; rows carry ``from_id``, ``to_id`` and properties.

        Only for edges known to be absent (after :meth:`delete_edges_of`): MERGE on
        an edge costs a lookup per row.
        """
        values = ", ".join(
            f"{name}: {self.engine.typed(f'r.{name}', kind)}" for name, kind in edge.properties.items()
        )
        cypher = (
            f"UNWIND $rows AS r MATCH (a:{edge.source} {{id: r.from_id}}), (b:{edge.target} {{id: r.to_id}}) "
            f"CREATE (a)-[:{edge.type} {{{values}}}]->(b)"
        )
        for batch in chunked(rows, BATCH):
            self.engine.run(cypher, {"rows": batch})
        return len(rows)

    def delete_edges_of(self, edge: EdgeType, owners: list[int]) -> None:
        """Delete every ``edge`` of these nodes at its owning end (``EdgeType.owner``)."""
        cypher = f"UNWIND $ids AS i MATCH {_pattern(edge, '{id: i}')} DELETE e"
        for batch in chunked(owners, BATCH):
            self.engine.run(cypher, {"ids": batch})

    def replace_edges_of(self, edge: EdgeType, owners: list[int], rows: list[Props]) -> int:
        """Make the ``edge`` edges of ``owners`` (at its owning end) exactly ``rows``.

        Each owner's edges change in one transaction, a group of owners at a time: one
        transaction for everything outgrows a server's transaction memory (Neo4j refuses a
        full rebuild's 266,000 purchases in one).
        """
        by_owner: dict[int, list[Props]] = defaultdict(list)
        for row in rows:
            by_owner[row[edge.owner]].append(row)
        group: list[int] = []
        grouped_rows: list[Props] = []
        for index, owner in enumerate(owners):
            group.append(owner)
            grouped_rows.extend(by_owner[owner])
            if len(grouped_rows) >= BATCH or len(group) >= BATCH or index == len(owners) - 1:
                with self.engine.transaction():
                    self.delete_edges_of(edge, group)
                    self.create_edges(edge, grouped_rows)
                group, grouped_rows = [], []
        return len(rows)

    def delete_all_edges(self, edge: EdgeType) -> None:
        self.engine.run(f"MATCH ()-[e:{edge.type}]->() DELETE e")

    def clear(self) -> None:
        """Delete everything, a batch per statement (one statement for a whole graph outgrows
        a server's transaction memory)."""
        for edge in EDGE_TYPES:
            while self._count(
                f"MATCH ()-[e:{edge.type}]->() WITH e LIMIT {BATCH * 4} DELETE e RETURN count(*)"
            ):
                pass
        for node in NODE_TYPES:
            while self._count(f"MATCH (n:{node.label}) WITH n LIMIT {BATCH} DETACH DELETE n RETURN count(*)"):
                pass

    # reads for verification ----------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Nodes per label and edges per type."""
        found = {node.label: self._count(f"MATCH (n:{node.label}) RETURN count(n)") for node in NODE_TYPES}
        for edge in EDGE_TYPES:
            found[edge.type] = self._count(f"MATCH ()-[e:{edge.type}]->() RETURN count(e)")
        return found

    def nodes(self, node: NodeType, ids: list[int] | None = None) -> dict[int, Props]:
        """Properties of the nodes with these ids (all nodes when None), by id."""
        names = list(node.properties)
        columns = ", ".join(f"n.{name}" for name in ["id", *names])
        where = " WHERE n.id IN $ids" if ids is not None else ""
        rows = self._batched_read(f"MATCH (n:{node.label}){where} RETURN {columns}", ids)
        return {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}

    def node_ids(self, node: NodeType) -> set[int]:
        return {row[0] for row in self.engine.run(f"MATCH (n:{node.label}) RETURN n.id")}

    def edges(self, edge: EdgeType, owners: list[int] | None = None) -> dict[EdgeKey, Props]:
        """Properties of these nodes' edges at the owning end (all when None), by (source, target, *key)."""
        names = list(edge.properties)
        columns = ", ".join(["a.id", "b.id", *(f"e.{name}" for name in names)])
        where = f" WHERE {_OWNER_ALIAS[edge.owner]}.id IN $ids" if owners is not None else ""
        cypher = f"MATCH {_pattern(edge)}{where} RETURN {columns}"
        found: dict[EdgeKey, Props] = {}
        for row in self._batched_read(cypher, owners):
            props = dict(zip(names, row[2:], strict=True))
            found[(row[0], row[1], *(props[name] for name in edge.key))] = props
        return found

    def ping(self) -> None:
        self.engine.run("RETURN 1")

    # named queries -------------------------------------------------------------
    def similar_customers(self, customer_id: int, limit: int = 10) -> list[queries.SimilarCustomer]:
        return queries.similar_customers(self.engine, customer_id, limit)

    def recommendation_candidates(
        self, customer_id: int, limit: int = 50, walks: tuple[str, ...] = queries.WALKS
    ) -> list[queries.Candidate]:
        return queries.recommendation_candidates(self.engine, [customer_id], limit, walks)[customer_id]

    def recommendation_candidates_many(
        self, customer_ids: list[int], limit: int = 50, walks: tuple[str, ...] = queries.WALKS
    ) -> dict[int, list[queries.Candidate]]:
        return queries.recommendation_candidates(self.engine, customer_ids, limit, walks)

    def complements(self, product_id: int, limit: int = 10) -> list[queries.Complement]:
        return queries.complements(self.engine, product_id, limit)

    def profile_subgraph(
        self,
        customer_id: int,
        limit: int = 25,
        similar: int = 5,
        messages: int = queries.PROFILE_MESSAGE_COUNT,
        campaigns: bool = True,
    ) -> queries.Subgraph:
        return queries.profile_subgraph(self.engine, customer_id, limit, similar, messages, campaigns)

    def _count(self, cypher: str) -> int:
        return int(self.engine.run(cypher)[0][0])

    def _batched_read(self, cypher: str, ids: list[int] | None) -> Iterable[Row]:
        if ids is None:
            return self.engine.run(cypher)
        return [row for batch in chunked(ids, BATCH) for row in self.engine.run(cypher, {"ids": batch})]


_OWNER_ALIAS = {End.SOURCE: "a", End.TARGET: "b"}


def _pattern(edge: EdgeType, owner_properties: str = "") -> str:
    """``(a)-[e]->(b)`` for ``edge``, with these properties (a map literal) on its owning end."""
    ends = {End.SOURCE: f"a:{edge.source}", End.TARGET: f"b:{edge.target}"}
    if owner_properties:
        ends[edge.owner] += f" {owner_properties}"
    return f"({ends[End.SOURCE]})-[e:{edge.type}]->({ends[End.TARGET]})"


_lock = threading.Lock()
_graph: Graph | None = None
_opened_from: Path | str | None = None


def get_graph() -> Graph:
    """The configured graph: Neo4j when ``NEO4J_URL`` is set, else the embedded one.

    The embedded graph is reopened when a rebuild switched ``CURRENT`` to a new
    generation; a missing one is a :class:`GraphUnavailable` (``graph rebuild``).
    """
    global _graph, _opened_from
    with _lock:
        source = _configured_source()
        if _graph is None or source != _opened_from:
            if _graph is not None:
                _graph.engine.close()
                _graph = None
            _graph, _opened_from = Graph(_open(source)), source
            _graph.engine.install_schema()
        return _graph


def close_graph() -> None:
    """Close the open graph (tests, shutdown, and before a rebuild replaces it)."""
    global _graph, _opened_from
    with _lock:
        if _graph is not None:
            _graph.engine.close()
        _graph, _opened_from = None, None


def _configured_source() -> Path | str:
    if settings.NEO4J_URL:
        return str(settings.NEO4J_URL)
    from graph.embedded import GraphDirectory

    current = GraphDirectory(Path(settings.GRAPH_DIR)).current()
    if current is None:
        # no path in the message: it reaches staff's pages, and the folder is GRAPH_DIR, as documented
        raise GraphUnavailable("No graph has been built yet; `manage.py graph rebuild` builds it.")
    return current


def _open(source: Path | str) -> GraphEngine:
    if isinstance(source, str):
        from graph.neo4j import Neo4jEngine

        return Neo4jEngine(source)
    from graph.embedded import LadybugEngine

    return LadybugEngine(source)


def open_engine(source: Path | str) -> GraphEngine:
    """An engine on ``source`` outside the shared one (a rebuild's new generation)."""
    engine = _open(source)
    engine.install_schema()
    return engine
