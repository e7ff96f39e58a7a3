"""Import customers' messages from any CSV (or CSV.gz) by naming its columns; safe to run again."""

from __future__ import annotations

import json
from argparse import ArgumentTypeError
from pathlib import Path
from typing import IO, Any, cast

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser
from django.utils.text import slugify
from rich.console import Console

from conversations.importing import MessageColumns
from conversations.models import Channel, Message
from conversations.services.messages_import import messages_import
from customers.api.serializers import source_slug
from customers.management.import_files import file_refusals, import_file, rejects_path, report_table
from marketing_platform.progress import RichProgress

SOURCE_MAX = Message._meta.get_field("source").max_length or 32


class Command(BaseCommand):
    help = (
        "Import customers' messages from a CSV: --customer-column, --text-column and --time-column "
        "name its columns; optional --id-column and --language-column. Customers must exist."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--customer-column", required=True, help="Column of the customer's external id.")
        parser.add_argument("--text-column", required=True, help="Column of the message's text.")
        parser.add_argument(
            "--time-column", required=True, help="Column of the time: ISO 8601 or Unix seconds."
        )
        parser.add_argument(
            "--id-column", help="Column of the message's own id (default: a hash of customer, time and text)."
        )
        parser.add_argument("--language-column", help="Column of a BCP 47 language tag.")
        parser.add_argument("--channel", choices=Channel.values, default=Channel.OTHER)
        parser.add_argument(
            "--source", type=_source, help="Name of this data source (default: csv-<the file's name>)."
        )
        parser.add_argument("--rejects", type=Path, help="Where rejected lines go (default: var/imports/).")
        parser.add_argument("--report", type=Path, help="Also write the summary as JSON here.")

    def handle(self, *args: Any, **options: Any) -> None:
        path, name = import_file(Path(options["path"]))
        columns = MessageColumns(
            customer=options["customer_column"],
            text=options["text_column"],
            time=options["time_column"],
            id=options["id_column"],
            language=options["language_column"],
        )
        rejects = rejects_path(f"{name}.messages", options["rejects"])
        console = Console(file=cast(IO[str], self.stdout))
        with file_refusals(path), RichProgress(console) as progress:
            report = messages_import(
                path=path,
                columns=columns,
                source=options["source"] or _source_of_file(name),
                channel=options["channel"],
                rejects_path=rejects,
                progress=progress,
            )
        console.print(report_table(f"Messages from {path.name}", report, updates=True))
        console.print(f"{report.seconds:.1f} s. Rejected lines with reasons: {rejects}")
        if options["report"]:
            summary = {"read": report.read, "stored": report.stored, "updated": report.updated,
                       "duplicate": report.duplicate, "rejected": dict(report.rejected)}  # fmt: skip
            Path(options["report"]).write_text(json.dumps(summary, indent=2) + "\n")


def _source(text: str) -> str:
    """A source name as the API takes it: lowercase letters, digits and -, at most 32."""
    try:
        source_slug(text)
    except ValidationError as exc:
        raise ArgumentTypeError(f"{text!r}: {exc.messages[0]}") from exc
    if len(text) > SOURCE_MAX:
        raise ArgumentTypeError(f"{text!r}: at most {SOURCE_MAX} characters.")
    return text


def _source_of_file(name: str) -> str:
    return ("csv-" + slugify(name).replace("_", "-"))[:SOURCE_MAX].rstrip("-")
