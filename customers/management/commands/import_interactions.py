"""Import any interaction log (CSV or CSV.gz) by naming its columns; safe to run again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from customers.importers.interactions import ColumnMap
from customers.management.import_files import file_refusals, import_file, rejects_path, report_table
from customers.models import InteractionKind
from customers.services.interactions_import import interactions_import
from marketing_platform.progress import RichProgress


class Command(BaseCommand):
    help = (
        "Import interactions from a CSV: --customer, --product and --timestamp name its columns; optional "
        "--quantity, or --rating with --rating-threshold, --product-name and --category."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--customer", required=True, help="Column of the customer id.")
        parser.add_argument("--product", required=True, help="Column of the product id (stored as its SKU).")
        parser.add_argument(
            "--timestamp", required=True, help="Column of the time: ISO 8601 or Unix seconds."
        )
        parser.add_argument("--quantity", help="Column of a positive whole quantity.")
        parser.add_argument("--rating", help="Column of a rating; see --rating-threshold.")
        parser.add_argument("--rating-threshold", type=float, help="Keep lines rated at least this.")
        parser.add_argument("--product-name", help="Column of the product's name (new products only).")
        parser.add_argument("--category", help="Column of a category slug or name (new products only).")
        parser.add_argument("--kind", choices=InteractionKind.values, default=InteractionKind.PURCHASE)
        parser.add_argument("--source", help="Name of this data source (default: the file's name).")
        parser.add_argument("--rejects", type=Path, help="Where rejected lines go (default: var/imports/).")
        parser.add_argument("--report", type=Path, help="Also write the summary as JSON here.")

    def handle(self, *args: Any, **options: Any) -> None:
        path, name = import_file(Path(options["path"]))
        if options["rating_threshold"] is not None and not options["rating"]:
            raise CommandError("--rating-threshold needs --rating (the column it applies to).")
        if options["quantity"] and options["rating"]:
            raise CommandError("Give --quantity or --rating, not both.")
        fields = ("customer", "product", "timestamp", "quantity", "rating", "rating_threshold",
                  "product_name", "category")  # fmt: skip
        columns = ColumnMap(**{field: options[field] for field in fields})
        rejects = rejects_path(name, options["rejects"])
        console = Console(file=cast(IO[str], self.stdout))
        with file_refusals(path), RichProgress(console) as progress:
            report = interactions_import(
                path=path,
                columns=columns,
                source=(options["source"] or name)[:32],
                kind=options["kind"],
                rejects_path=rejects,
                progress=progress,
            )
        console.print(report_table(f"Interactions from {path.name}", report))
        console.print(
            f"Products: {report.products.created:,} new · customers: {report.customers.created:,} new · "
            f"interest history rows: {report.interests.created:,} new · "
            f"{report.seconds:.1f} s. Rejected lines with reasons: {rejects}"
        )
        if options["report"]:
            summary = {"read": report.read, "stored": report.stored, "duplicate": report.duplicate,
                       "rejected": dict(report.rejected), "products_created": report.products.created,
                       "customers_created": report.customers.created,
                       "interest_history_rows": report.interests.created}  # fmt: skip
            Path(options["report"]).write_text(json.dumps(summary, indent=2) + "\n")
