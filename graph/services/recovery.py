"""Recovery: rebuild the graph from PostgreSQL, verify it against PostgreSQL, repair what drifted."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache

from graph.embedded import GraphDirectory
from graph.engine import GraphUnavailable
from graph.port import Graph, close_graph, get_graph, open_engine
from graph.schema import EDGE_TYPES, NODE_TYPES, End
from graph.selectors import EDGE_SOURCES, NODE_SOURCES, Props
from graph.services.derived import DerivedCounts, graph_derived_edges_write
from graph.services.sync import REBUILDING
from marketing_platform.cache import CacheUnavailable

Progress = Callable[[str, int], None]
REBUILD_LOCK_SECONDS = 3600


def _quiet(step: str, count: int) -> None:
    """No progress output."""


@dataclass(frozen=True)
class RebuildResult:
    adapter: str
    location: str
    counts: dict[str, int]


def graph_rebuild(*, progress: Progress = _quiet) -> RebuildResult:
    """Load everything from PostgreSQL into a fresh graph, then switch readers over to it.

    Embedded: a new generation directory, made live by one atomic rename. Neo4j (a
    single database): the live graph is brought to PostgreSQL's state in place by
    :func:`graph_repair` (upserts, then deletions), so readers never see it empty.
    Drains pause meanwhile; what they would have applied stays in the outbox.
    """
    try:
        locked = cache.add(REBUILDING, True, REBUILD_LOCK_SECONDS)
    except CacheUnavailable as exc:  # the lock that pauses the drains lives there
        raise GraphUnavailable("The cache is down: a rebuild waits until it is up.") from exc
    if not locked:
        raise GraphUnavailable("Another graph rebuild is running.")
    try:
        if settings.NEO4J_URL:
            graph = get_graph()
            graph_repair(graph, progress=progress)
            graph_derived_edges_write(graph)
            return RebuildResult(graph.adapter, "neo4j", graph.counts())
        directory = GraphDirectory(Path(settings.GRAPH_DIR))
        generation = directory.new_generation()
        fresh = Graph(open_engine(generation))
        try:
            _load_everything(fresh, progress)
            counts = fresh.counts()
        finally:
            fresh.engine.close()
        close_graph()
        directory.switch_to(generation)
        return RebuildResult("embedded", str(generation), counts)
    finally:
        cache.delete(REBUILDING)


def _load_everything(graph: Graph, progress: Progress) -> DerivedCounts:
    for node in NODE_TYPES:
        _, read = NODE_SOURCES[node.label]
        progress(node.label, graph.upsert_nodes(node, read(None)))
    for edge_type, read in EDGE_SOURCES.values():
        progress(edge_type.type, graph.create_edges(edge_type, read(None)))
    derived = graph_derived_edges_write(graph)
    progress("SIMILAR_TO", derived.similar_to)
    progress("COMPLEMENTS", derived.complements)
    return derived


def embedded_graph_ensure(*, progress: Progress = _quiet) -> RebuildResult | None:
    """At start in embedded mode: rebuild when the graph is missing or cannot be opened."""
    if settings.NEO4J_URL:
        return None
    try:
        get_graph().ping()
    except GraphUnavailable:
        close_graph()
        return graph_rebuild(progress=progress)
    return None


@dataclass
class KindReport:
    kind: str
    expected: int
    found: int
    sampled: int = 0
    missing: list[Any] = field(default_factory=list)
    extra: list[Any] = field(default_factory=list)
    differing: list[Any] = field(default_factory=list)

    @property
    def drifted(self) -> bool:
        return self.expected != self.found or bool(self.missing or self.extra or self.differing)


@dataclass
class VerifyReport:
    adapter: str
    kinds: list[KindReport]

    @property
    def drifted(self) -> bool:
        return any(kind.drifted for kind in self.kinds)


def graph_verify(graph: Graph, *, sample: int = 200, seed: int | None = None) -> VerifyReport:
    """Counts of every projected kind against PostgreSQL, every node id, and a content check of
    a random sample (of nodes, and of the nodes owning edges).

    The derived edges (SIMILAR_TO, COMPLEMENTS) are recomputed on a schedule, not
    projected row by row, so only their counts are reported.
    """
    chooser = random.Random(seed)  # noqa: S311 - sampling, not secrets
    counts = graph.counts()
    kinds: list[KindReport] = []
    for node in NODE_TYPES:
        _, read = NODE_SOURCES[node.label]
        expected_ids = [row["id"] for row in read(None)]
        report = KindReport(node.label, len(expected_ids), counts[node.label])
        picked = chooser.sample(expected_ids, min(sample, len(expected_ids)))
        _compare(report, _by_id(read(picked)), graph.nodes(node, picked))
        found_ids = graph.node_ids(node)  # ids are cheap: all of them, not a sample
        report.missing = sorted(set(expected_ids) - found_ids)
        report.extra = sorted(found_ids - set(expected_ids))
        report.sampled = len(picked)
        kinds.append(report)
    for edge_type, read in EDGE_SOURCES.values():
        expected_rows = read(None)
        report = KindReport(edge_type.type, len(expected_rows), counts[edge_type.type])
        owners = sorted({row[edge_type.owner] for row in expected_rows})
        picked = chooser.sample(owners, min(sample, len(owners)))
        _compare(report, _by_edge_key(edge_type.key, read(picked)), graph.edges(edge_type, picked))
        report.sampled = len(picked)
        kinds.append(report)
    for edge_type in EDGE_TYPES:
        if edge_type.type not in EDGE_SOURCES:
            kinds.append(KindReport(edge_type.type, counts[edge_type.type], counts[edge_type.type]))
    return VerifyReport(graph.adapter, kinds)


def graph_repair(graph: Graph, *, progress: Progress = _quiet) -> VerifyReport:
    """Compare every projected node and edge with PostgreSQL and write only what differs."""
    kinds: list[KindReport] = []
    for node in NODE_TYPES:
        _, read = NODE_SOURCES[node.label]
        expected = _by_id(read(None))
        report = KindReport(node.label, len(expected), 0)
        found = graph.nodes(node)
        report.found = len(found)
        _compare(report, expected, found)
        graph.upsert_nodes(node, [expected[key] for key in [*report.missing, *report.differing]])
        graph.delete_nodes(node, report.extra)
        progress(node.label, len(report.missing) + len(report.differing) + len(report.extra))
        kinds.append(report)
    for edge_type, read in EDGE_SOURCES.values():
        rows = read(None)
        expected_edges = _by_edge_key(edge_type.key, rows)
        found_edges = graph.edges(edge_type)
        report = KindReport(edge_type.type, len(expected_edges), len(found_edges))
        _compare(report, expected_edges, found_edges)
        end = 0 if edge_type.owner == End.SOURCE else 1  # its place in an edge's key
        owners = sorted({key[end] for key in [*report.missing, *report.extra, *report.differing]})
        wanted = set(owners)
        graph.replace_edges_of(edge_type, owners, [row for row in rows if row[edge_type.owner] in wanted])
        progress(edge_type.type, len(owners))
        kinds.append(report)
    return VerifyReport(graph.adapter, kinds)


def _by_id(rows: list[Props]) -> dict[Any, Props]:
    return {row["id"]: row for row in rows}


def _by_edge_key(key: tuple[str, ...], rows: list[Props]) -> dict[Any, Props]:
    return {(row["from_id"], row["to_id"], *(row[name] for name in key)): row for row in rows}


def _compare(report: KindReport, expected: dict[Any, Props], found: dict[Any, Props]) -> None:
    report.missing = sorted(set(expected) - set(found))
    report.extra = sorted(set(found) - set(expected))
    report.differing = sorted(
        key
        for key in set(expected) & set(found)
        if _content(expected[key], found[key]) != _content(found[key])
    )


def _content(row: Props, like: Props | None = None) -> tuple[Any, ...]:
    """The comparable content: the properties the graph stores, floats rounded."""
    names = sorted(like or {name: None for name in row if name not in ("id", "from_id", "to_id")})
    return tuple(
        round(value, 3) if isinstance(value, float) else value for value in (row.get(n) for n in names)
    )
