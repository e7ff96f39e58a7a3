"""The knowledge graph on the full Online Retail import: rebuild, incremental sync, named queries.

Runs each engine in its own process against the bench database (``python -m bench
import`` fills it): the embedded LadybugDB, and Neo4j when one is reachable: the one
``make neo4j`` starts, or ``BENCH_NEO4J_URL`` (never ``NEO4J_URL``: the bench empties
it). For each: the full rebuild's time (Neo4j from empty), the outbox drain's throughput
when every customer changed, and p50/p99 of each named query over 200 random customers
(products for complements), side by side.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console

from bench.report import ROOT, measure_in_child, percentiles, publish

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
    from marketing_platform.startup import freeze_loaded_objects

    call_command("migrate", verbosity=0)
    if os.environ.get("NEO4J_URL"):
        get_graph().clear()  # a full rebuild starts from nothing, as the embedded one does
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

    freeze_loaded_objects()  # as a web or worker process does once loaded
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


def _neo4j_url() -> str | None:
    """The Neo4j to measure: BENCH_NEO4J_URL, else the one ``ops/services`` runs, if it answers."""
    url = os.environ.get("BENCH_NEO4J_URL")
    if not url:
        printed = subprocess.run(
            [str(ROOT / "ops" / "services"), "env"], capture_output=True, text=True, check=False
        ).stdout
        url = next((line.split("=", 1)[1] for line in printed.splitlines() if "NEO4J_URL=" in line), None)
    if url is None:
        return None
    address = url.rpartition("@")[2].partition("/")[0]
    host, _, port = address.partition(":")
    try:
        socket.create_connection((host, int(port or 7687)), timeout=2).close()
    except OSError:
        return None
    return url


def _latency(query: str) -> Callable[[dict[str, Any]], str]:
    return lambda figures: "{p50_ms:.1f} / {p99_ms:.1f} ms".format(**figures["queries"][query])


def run() -> None:
    console = Console()
    engines = {"embedded": "embedded (LadybugDB)", "neo4j": "Neo4j 5 (Bolt, neomodel)"}
    measured: dict[str, dict[str, Any]] = {}
    for engine in engines:
        settings = {}
        if engine == "neo4j":
            url = _neo4j_url()
            if url is None:
                console.print(
                    "Neo4j is not reachable (`make neo4j`, or BENCH_NEO4J_URL): measuring the embedded only"
                )
                continue
            settings = {"NEO4J_URL": url}
        console.print(f"Graph on {engines[engine]}: rebuild, sync and queries on the bench database…")
        measured[engine] = measure_in_child("graph_queries", **settings)
        if measured[engine]["counts"]["Customer"] == 0:
            raise SystemExit("the bench database is empty: run `python -m bench import` first")

    def row(label: str, figure: Callable[[dict[str, Any]], str], note: str) -> tuple[str, ...]:
        return (label, *(figure(measured[engine]) for engine in measured), note)

    first = next(iter(measured.values()))
    rows = [
        row("full rebuild", lambda f: f"{f['rebuild_seconds']:.1f} s", f"goal ≤ {GOAL_REBUILD_SECONDS} s"),
        row(
            "incremental sync",
            lambda f: f"{f['sync']['relationships_per_second']:,} rel/s",
            f"{first['sync']['relationships']:,} edges of {first['sync']['customers']:,} customers",
        ),
        *(
            row(f"{name} (p50 / p99)", _latency(name), f"goal p99 ≤ {GOAL_P99_MS} ms")
            for name in first["queries"]
        ),
    ]
    publish(
        "graph",
        {"engines": {engines[name]: figures for name, figures in measured.items()}, "sample": SAMPLE,
         "machine_cpus": os.cpu_count()},
        title="Knowledge graph on the full Online Retail import",
        columns=("measure", *(engines[name] for name in measured), "note"),
        rows=rows,
    )  # fmt: skip
