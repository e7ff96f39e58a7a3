"""Keeping the graph in step with PostgreSQL: outbox rows in the writer's transaction, drained after.

Writers call :func:`graph_changes_record` (model signals do it for single-row
saves; bulk services call it themselves). After the transaction commits a
Celery task drains the outbox; a periodic task drains whatever that missed
(the broker or the graph was down). Draining re-reads each changed node from
PostgreSQL, so it is idempotent and a deleted row deletes its node.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction

from graph.models import GraphChange, GraphEntity
from graph.port import Graph, get_graph
from graph.schema import ABOUT, BELONGS_TO, HAS_INTENT, INTERESTED_IN, PURCHASED, SENT, EdgeType
from graph.selectors import EDGE_SOURCES, NODE_SOURCES
from marketing_platform.cache import cache_unavailable

logger = logging.getLogger(__name__)
DRAIN_BATCH = 20_000
# Set while a rebuild writes a new generation; drains wait so nothing lands in the old one.
REBUILDING = "graph:rebuilding"
# The edges a node owns: rewritten whenever the node is synced.
OWNED_EDGES: dict[GraphEntity, tuple[EdgeType, ...]] = {
    GraphEntity.CUSTOMER: (PURCHASED, INTERESTED_IN),
    GraphEntity.PRODUCT: (BELONGS_TO,),
    GraphEntity.MESSAGE: (SENT, ABOUT, HAS_INTENT),
}


@dataclass
class SyncCounts:
    nodes: int = 0
    deleted_nodes: int = 0
    edges: int = 0
    changes: int = 0
    by_entity: dict[str, int] = field(default_factory=dict)

    def add(self, other: SyncCounts) -> None:
        self.nodes += other.nodes
        self.deleted_nodes += other.deleted_nodes
        self.edges += other.edges
        self.changes += other.changes
        for name, count in other.by_entity.items():
            self.by_entity[name] = self.by_entity.get(name, 0) + count


def graph_changes_record(entity: GraphEntity, ids: Iterable[int]) -> int:
    """Note that these nodes may have changed; drained once the current transaction commits."""
    rows = [GraphChange(entity=entity, entity_id=pk) for pk in sorted(set(ids))]
    if not rows:
        return 0
    GraphChange.objects.bulk_create(rows, batch_size=5000)
    if not any(
        callback is drain_after_commit for _, callback, _ in transaction.get_connection().run_on_commit
    ):
        transaction.on_commit(drain_after_commit, robust=True)  # one drain per transaction
    return len(rows)


def drain_after_commit() -> None:
    from graph.tasks import drain_graph_outbox

    drain_graph_outbox.delay()


def graph_outbox_drain(*, graph: Graph | None = None, batch_size: int = DRAIN_BATCH) -> SyncCounts:
    """Apply every pending change, oldest first and targets before sources; 0 changes while a
    rebuild runs (it will include them, or they stay pending for the next drain)."""
    total = SyncCounts()
    if cache.get(REBUILDING) or cache_unavailable():
        logger.info("Graph rebuild in progress (or the cache that tells is down); outbox left for later")
        return total
    graph = graph or get_graph()
    while True:
        with transaction.atomic():
            pending = list(
                GraphChange.objects.select_for_update(skip_locked=True)
                .order_by("entity", "id")
                .values_list("id", "entity", "entity_id")[:batch_size]
            )
            if not pending:
                return total
            ids_by_entity: dict[GraphEntity, set[int]] = defaultdict(set)
            for _, entity, entity_id in pending:
                ids_by_entity[GraphEntity(entity)].add(entity_id)
            for entity in sorted(ids_by_entity):
                total.add(graph_entities_sync(graph, entity, sorted(ids_by_entity[entity])))
            GraphChange.objects.filter(pk__in=[row[0] for row in pending]).delete()
            total.changes += len(pending)


def graph_entities_sync(graph: Graph, entity: GraphEntity, ids: list[int]) -> SyncCounts:
    """Make these nodes, and the edges they own, what PostgreSQL holds now."""
    node_type, read_nodes = NODE_SOURCES[entity.label]
    rows = read_nodes(ids)
    present = sorted(row["id"] for row in rows)
    gone = sorted(set(ids) - set(present))
    graph.upsert_nodes(node_type, rows)
    graph.delete_nodes(node_type, gone)
    counts = SyncCounts(nodes=len(rows), deleted_nodes=len(gone), by_entity={entity.label: len(ids)})
    for edge_type in OWNED_EDGES.get(entity, ()):
        _, read_edges = EDGE_SOURCES[edge_type.type]
        counts.edges += graph.replace_edges_of(edge_type, present, read_edges(present))
    return counts
