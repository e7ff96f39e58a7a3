"""Graph maintenance: install the schema, rebuild from PostgreSQL, verify, repair, drain, derive."""

from __future__ import annotations

import time
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from graph.engine import GraphUnavailable
from graph.port import get_graph
from graph.services.derived import graph_derived_edges_write
from graph.services.recovery import VerifyReport, graph_rebuild, graph_repair, graph_verify
from graph.services.sync import graph_outbox_drain


class StepPrinter:
    """Prints each finished step with its count, time and rate."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.last = time.perf_counter()

    def __call__(self, step: str, count: int) -> None:
        now = time.perf_counter()
        seconds, self.last = now - self.last, now
        rate = f"{count / seconds:,.0f}/s" if seconds > 0 else "…"
        self.console.print(f"  {step:<14} {count:>10,}   {seconds:6.2f} s   {rate}")


class Command(BaseCommand):
    help = (
        "Knowledge graph maintenance. The graph is a projection of PostgreSQL; any of these is safe to rerun."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser(
            "install_schema", help="Create tables (embedded) or constraints and indexes (Neo4j)."
        )
        actions.add_parser(
            "rebuild", help="Load everything from PostgreSQL into a fresh graph, then switch to it."
        )
        verify = actions.add_parser("verify", help="Compare counts and a sample's content with PostgreSQL.")
        verify.add_argument("--sample", type=int, default=200, help="Nodes or sources checked per kind.")
        verify.add_argument("--seed", type=int, help="Fix the sample.")
        actions.add_parser("repair", help="Re-sync every node and edge that differs from PostgreSQL.")
        actions.add_parser("drain", help="Apply pending changes from the outbox now.")
        actions.add_parser("derive", help="Recompute SIMILAR_TO and COMPLEMENTS.")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        action = options["action"]
        try:
            if action == "install_schema":
                graph = get_graph()
                console.print(f"Schema installed ({graph.adapter}).")
            elif action == "rebuild":
                console.print("Rebuilding the graph from PostgreSQL:")
                started = time.perf_counter()
                result = graph_rebuild(progress=StepPrinter(console))
                console.print(
                    f"Rebuilt ({result.adapter}, {result.location}) in {time.perf_counter() - started:.1f} s."
                )
            elif action == "verify":
                report = graph_verify(get_graph(), sample=options["sample"], seed=options["seed"])
                self._print(console, report, "verify")
                if report.drifted:
                    raise CommandError("The graph differs from PostgreSQL; `graph repair` re-syncs it.")
            elif action == "repair":
                report = graph_repair(get_graph(), progress=StepPrinter(console))
                self._print(console, report, "repair")
            elif action == "drain":
                counts = graph_outbox_drain()
                console.print(
                    f"Applied {counts.changes:,} changes: {counts.nodes:,} nodes, {counts.edges:,} edges."
                )
            elif action == "derive":
                derived = graph_derived_edges_write(get_graph())
                console.print(
                    f"SIMILAR_TO: {derived.similar_to:,} edges; COMPLEMENTS: {derived.complements:,} edges."
                )
        except GraphUnavailable as exc:
            raise CommandError(str(exc)) from exc

    def _print(self, console: Console, report: VerifyReport, action: str) -> None:
        table = Table(title=f"graph {action} ({report.adapter})")
        for column in ("kind", "expected", "graph", "sampled", "missing", "extra", "differing"):
            table.add_column(column, justify="left" if column == "kind" else "right")
        for kind in report.kinds:
            table.add_row(
                kind.kind,
                f"{kind.expected:,}",
                f"{kind.found:,}",
                f"{kind.sampled:,}" if action == "verify" else "all",
                _examples(kind.missing),
                _examples(kind.extra),
                _examples(kind.differing),
                style="red" if kind.drifted else None,
            )
        console.print(table)
        if action == "repair":
            fixed = sum(len(k.missing) + len(k.extra) + len(k.differing) for k in report.kinds)
            console.print(f"Re-synced {fixed:,} nodes and edges." if fixed else "Nothing to repair.")


def _examples(keys: list[Any]) -> str:
    if not keys:
        return "0"
    shown = ", ".join(str(key) for key in keys[:3])
    return f"{len(keys):,} ({shown}{', …' if len(keys) > 3 else ''})"
