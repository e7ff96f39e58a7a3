from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from graph.engine import GraphUnavailable
from graph.port import get_graph
from graph.services.derived import graph_derived_edges_write
from graph.services.sync import graph_outbox_drain
from marketing_platform.celery import RETRYING, Queues

TRANSIENT = (GraphUnavailable, OperationalError, ConnectionError, TimeoutError)


@shared_task(queue=Queues.GRAPH, autoretry_for=TRANSIENT, soft_time_limit=300, time_limit=360, **RETRYING)
def drain_graph_outbox() -> int:
    """After a commit, and periodically: apply pending graph changes. Idempotent."""
    return graph_outbox_drain().changes


@shared_task(queue=Queues.GRAPH, autoretry_for=TRANSIENT, soft_time_limit=1800, time_limit=2000, **RETRYING)
def derive_graph_edges() -> int:
    """Recompute SIMILAR_TO and COMPLEMENTS from all purchases."""
    counts = graph_derived_edges_write(get_graph())
    return counts.similar_to + counts.complements
