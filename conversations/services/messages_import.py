"""Importing a CSV log of customer messages (see ``conversations.importing``)."""

from __future__ import annotations

import time
from pathlib import Path

from conversations.importing import MessageColumns, MessageLine, message_line
from conversations.services.recording import MessageRow, messages_record
from customers.importers.csv_files import detect_encoding, read_rows
from customers.models import Customer
from customers.services.interests import interests_recompute
from customers.services.retail_import import (
    BatchOutcome,
    ImportReport,
    Progress,
    SilentProgress,
    counted,
    store_lines,
)
from marketing_platform.bulk import WriteCounts, ids_by


def messages_import(
    *,
    path: Path,
    columns: MessageColumns,
    source: str,
    channel: str,
    rejects_path: Path,
    encoding: str | None = None,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> ImportReport:
    """Store every line as a message of an existing customer, keyed by ``(source, id)``: a
    line imported before is a duplicate, one whose content changed updates its message. A
    first pass reads the whole file (a file that cannot be read is refused before anything is
    stored) and finds the customers it names; a line of a customer the platform does not know
    is refused (``customer:unknown_customer``), as is any line the API would refuse, with the
    field and the reason. The interests of the customers it names are recomputed at the end."""
    started = time.perf_counter()
    progress = progress or SilentProgress()
    report = ImportReport(encoding=encoding or detect_encoding(path))
    named: set[str] = set()
    progress.begin("Scanning customers", None)
    for row in counted(read_rows(path, report.encoding, columns.columns), progress):
        if row.fields and (customer := row.fields[0].strip()):
            named.add(customer)
    customer_ids = ids_by(Customer, "external_id", sorted(named))

    def message(fields: list[str]) -> MessageRow | str:
        line = message_line(fields, columns, channel)
        if not isinstance(line, MessageLine):
            return line
        if line.customer not in customer_ids:
            return "customer:unknown_customer"
        data = line.data
        return MessageRow(
            customer_id=customer_ids[line.customer], source=source, message_id=data["id"],
            text=data["text"], channel=data["channel"], sent_at=data["sent_at"], campaign_id=None,
            language=data.get("language", ""),
        )  # fmt: skip

    def record(batch: list[MessageRow]) -> BatchOutcome:
        written = messages_record(batch, refresh_interests=False)
        return BatchOutcome(
            WriteCounts(created=written.created, duplicate=written.unchanged),
            updated=written.updated,
            refused={index: f"{why.field}:{why.code}" for index, why in written.refused.items()},
        )

    progress.begin("Importing messages", None)
    store_lines(
        read_rows(path, report.encoding, columns.columns), columns.columns, message, record,
        report=report, rejects_path=rejects_path, batch_size=batch_size, progress=progress,
    )  # fmt: skip
    interests_recompute(sorted(customer_ids.values()))
    report.seconds = time.perf_counter() - started
    return report
