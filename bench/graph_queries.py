"""The knowledge graph on the full Online Retail import: rebuild, incremental sync, named queries.

Runs the embedded adapter in its own process against the bench database
(``python -m bench import`` fills it): the full rebuild's time, the outbox
drain's throughput when every customer changed, and p50/p99 of each named
query over 200 random customers (products for complements).
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console

from bench.report import measure_in_child, percentiles, publish

SAMPLE = 200
GOAL_REBUILD_SECONDS = 60
GOAL_P99_MS = 50


def measure() -> None:
    """In the child process: print the figures as JSON."""
    import django

    django.setup()
    from django.core.management import call_command

    from catalog.models import Product
    from customers.models import Customer
    from graph.models import GraphEntity
    from graph.port import get_graph
    from graph.services.recovery import graph_rebuild
    from graph.services.sync import graph_changes_record, graph_outbox_drain

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    rebuilt = graph_rebuild()
    rebuild_seconds = time.perf_counter() - started

    graph = get_graph()
    graph_outbox_drain(graph=graph)  # what the import left
    customers = list(Customer.objects.values_list("pk", flat=True))
    graph_changes_record(GraphEntity.CUSTOMER, customers)
    started = time.perf_counter()
    drained = graph_outbox_drain(graph=graph)
    drain_seconds = time.perf_counter() - started

    chooser = random.Random(1)
    some_customers = chooser.sample(customers, min(SAMPLE, len(customers)))
    some_products = chooser.sample(list(Product.objects.values_list("pk", flat=True)), SAMPLE)
    queries: dict[str, tuple[Callable[[int], Any], list[int]]] = {
        "similar customers": (graph.similar_customers, some_customers),
        "recommendation candidates": (graph.recommendation_candidates, some_customers),
        "complements of a product": (graph.complements, some_products),
        "profile subgraph": (graph.profile_subgraph, some_customers),
    }
    timings: dict[str, dict[str, float]] = {}
    for name, (query, ids) in queries.items():
        query(ids[0])  # warm
        spent = []
        for pk in ids:
            begin = time.perf_counter()
            query(pk)
            spent.append(time.perf_counter() - begin)
        timings[name] = percentiles(spent)
    print(
        json.dumps(
            {
                "counts": rebuilt.counts,
                "rebuild_seconds": round(rebuild_seconds, 2),
                "sync": {
                    "customers": len(customers),
                    "nodes": drained.nodes,
                    "relationships": drained.edges,
                    "seconds": round(drain_seconds, 2),
                    "relationships_per_second": round(drained.edges / drain_seconds),
                },
                "queries": timings,
            }
        )
    )


def run() -> None:
    console = Console()
    console.print("Graph: rebuild, sync and queries on the bench database…")
    figures = measure_in_child("graph_queries")
    if figures["counts"]["Customer"] == 0:
        raise SystemExit("the bench database is empty: run `python -m bench import` first")
    sync = figures["sync"]
    rows = [
        (
            "full rebuild (embedded)",
            f"{figures['rebuild_seconds']:.1f} s",
            f"goal ≤ {GOAL_REBUILD_SECONDS} s",
        ),
        (
            "incremental sync",
            f"{sync['relationships_per_second']:,} relationships/s",
            f"{sync['relationships']:,} edges of {sync['customers']:,} customers in {sync['seconds']:.1f} s",
        ),
        *(
            (
                f"{name} (p50 / p99)",
                f"{t['p50_ms']:.1f} / {t['p99_ms']:.1f} ms",
                f"goal p99 ≤ {GOAL_P99_MS} ms",
            )
            for name, t in figures["queries"].items()
        ),
    ]
    publish(
        "graph",
        {**figures, "adapter": "embedded (LadybugDB)", "sample": SAMPLE, "machine_cpus": os.cpu_count()},
        title="Knowledge graph on the full Online Retail import",
        columns=("measure", "figure", "note"),
        rows=rows,
    )
