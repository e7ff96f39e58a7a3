from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console

from customers.management.import_files import file_refusals, import_file, rejects_path, report_table
from customers.selectors import CategoryCoverage, category_coverage
from customers.services.retail_import import ImportReport, online_retail_import
from marketing_platform.progress import RichProgress


class Command(BaseCommand):
    help = "Import the UCI Online Retail CSV (.csv or .csv.gz); safe to run again on the same file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--rejects",
            type=Path,
            help="Where to write rejected rows with their reason (default: var/imports/<file>.rejects.csv).",
        )
        parser.add_argument("--encoding", help="Force an encoding (default: detect UTF-8 or ISO-8859-1).")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--report", type=Path, help="Also write the summary as JSON to this path.")

    def handle(self, *args: Any, **options: Any) -> None:
        path, name = import_file(Path(options["path"]))
        rejects = rejects_path(name, options["rejects"])
        console = Console(file=cast(IO[str], self.stdout))
        with file_refusals(path), RichProgress(console) as progress:
            report = online_retail_import(
                path=path,
                rejects_path=rejects,
                encoding=options["encoding"],
                batch_size=options["batch_size"],
                progress=progress,
            )

        console.print(
            report_table(f"Online Retail import of {path.name} ({report.encoding})", report, unit="rows")
        )
        coverage = category_coverage()
        interests = report.interests
        console.print(
            f"Products: {report.products.created:,} new · customers: {report.customers.created:,} new · "
            f"interest history rows: {interests.created:,} new, {interests.duplicate:,} unchanged"
        )
        console.print(
            f"Categorised outside Other: {coverage.product_share:.1%} of {coverage.products:,} products, "
            f"{coverage.revenue_share:.1%} of revenue"
        )
        console.print(f"Rejected rows with reasons: {rejects}")
        if options["report"]:
            Path(options["report"]).write_text(json.dumps(_as_json(report, coverage), indent=2) + "\n")
        rate = report.read / report.seconds if report.seconds else 0
        console.print(f"Done in {report.seconds:.1f} s ({rate:,.0f} rows/s)")


def _as_json(report: ImportReport, coverage: CategoryCoverage) -> dict[str, Any]:
    return {
        "encoding": report.encoding,
        "rows": {
            "read": report.read,
            "stored": report.stored,
            "duplicate": report.duplicate,
            "rejected": report.rejected_total,
            "rejected_by_reason": {str(reason): count for reason, count in sorted(report.rejected.items())},
        },
        "created": {
            "products": report.products.created,
            "customers": report.customers.created,
            "interest_history_rows": report.interests.created,
        },
        "categorised_outside_other": {
            "products": round(coverage.product_share, 4),
            "revenue": round(coverage.revenue_share, 4),
        },
        "seconds": round(report.seconds, 2),
    }
