"""Import of the UCI Online Retail CSV through the same services the API uses."""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Protocol, TypeVar

from catalog.models import Product
from catalog.services import category_tree_sync, products_create_missing
from catalog.taxonomy import categorize
from customers.importers.csv_files import Row, detect_encoding, read_rows
from customers.importers.online_retail import COLUMNS, SOURCE, RejectReason, RetailLine, classify
from customers.models import Customer, PurchaseKind
from customers.services.activity import PurchaseRow, purchases_record
from customers.services.customers import customers_create_missing
from customers.services.interests import (
    interest_taxonomy_sync_from_catalog,
    interests_recompute,
)
from marketing_platform.bulk import WriteCounts
from recommendations.cache import market_invalidate

CURRENCY = "GBP"
PROGRESS_STEP = 5000


class Progress(Protocol):
    def begin(self, phase: str, total: int | None) -> None: ...
    def advance(self, amount: int) -> None: ...


class SilentProgress:
    def begin(self, phase: str, total: int | None) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass


@dataclass
class ImportReport:
    encoding: str = ""
    read: int = 0
    stored: int = 0
    updated: int = 0
    duplicate: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    products: WriteCounts = field(default_factory=WriteCounts)
    customers: WriteCounts = field(default_factory=WriteCounts)
    interests: WriteCounts = field(default_factory=WriteCounts)
    seconds: float = 0.0

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


@dataclass
class _Catalogue:
    """What the first pass learns about products and customers."""

    descriptions: dict[str, Counter[str]] = field(default_factory=dict)
    prices: dict[str, Decimal] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)
    rows: int = 0

    def add(self, line: RetailLine) -> None:
        names = self.descriptions.setdefault(line.sku, Counter())
        if line.description:
            names[line.description] += 1
        if not line.is_return:
            self.prices[line.sku] = line.unit_price
        self.countries.setdefault(line.customer, line.country)

    def products(self, category_ids: dict[str, int]) -> list[Product]:
        products = []
        for sku, names in self.descriptions.items():
            name = names.most_common(1)[0][0] if names else sku
            products.append(
                Product(
                    sku=sku,
                    name=name,
                    category_id=category_ids[categorize(name)],
                    price=self.prices.get(sku, Decimal("0")),
                    currency=CURRENCY,
                )
            )
        return products

    def customers(self) -> list[Customer]:
        return [Customer(external_id=ext, country=country) for ext, country in self.countries.items()]


def counted(rows: Iterator[Row], progress: Progress) -> Iterator[Row]:
    index = 0
    for index, row in enumerate(rows, start=1):
        if index % PROGRESS_STEP == 0:
            progress.advance(PROGRESS_STEP)
        yield row
    progress.advance(index % PROGRESS_STEP)


Record = TypeVar("Record")


@dataclass(frozen=True)
class BatchOutcome:
    """What storing a batch did, for records a resend may change and the store may refuse."""

    counts: WriteCounts
    updated: int = 0
    refused: Mapping[int, str] = field(default_factory=dict)  # the record's index in the batch → reason


def store_lines(
    rows: Iterator[Row],
    columns: Sequence[str],
    convert: Callable[[list[str]], Record | str],
    record: Callable[[list[Record]], WriteCounts | BatchOutcome],
    *,
    report: ImportReport,
    rejects_path: Path,
    batch_size: int,
    progress: Progress,
) -> None:
    """The second pass every import shares: each line becomes a row to store (in batches, each
    its own transaction) or a reject reason, written with the line and its number to
    ``rejects_path`` (as are the records ``record`` refuses, in its ``BatchOutcome``)."""
    batch: list[Record] = []
    origins: list[tuple[int, list[str]]] = []  # each record's line and fields

    def flush() -> None:
        outcome = record(batch)
        if isinstance(outcome, WriteCounts):
            outcome = BatchOutcome(outcome)
        report.stored += outcome.counts.created
        report.updated += outcome.updated
        report.duplicate += outcome.counts.duplicate
        for index, reason in outcome.refused.items():
            reject(*origins[index], reason)
        batch.clear()
        origins.clear()

    def reject(line: int, fields: list[str], reason: str) -> None:
        report.rejected[reason] += 1
        rejects.writerow([line, *fields, reason])

    rejects_path.parent.mkdir(parents=True, exist_ok=True)
    with rejects_path.open("w", newline="", encoding="utf-8") as rejects_file:
        rejects = csv.writer(rejects_file)
        rejects.writerow(["line", *columns, "reason"])
        for line, raw, fields in counted(rows, progress):
            report.read += 1
            row = convert(fields) if fields else RejectReason.MALFORMED  # ragged: not the header's width
            if isinstance(row, str):
                reject(line, fields or raw, row)
                continue
            batch.append(row)
            origins.append((line, fields))
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()


def infer_interests(customer_ids: Collection[int], *, report: ImportReport, progress: Progress) -> None:
    """The last step of an import of purchases: the interests of everyone in the file, not only
    of those with new lines, so an import cut off before this step is completed by the next
    run (unchanged values write nothing)."""
    progress.begin("Inferring interests of customers", len(customer_ids))
    interest_taxonomy_sync_from_catalog()
    report.interests = interests_recompute(sorted(customer_ids))
    progress.advance(len(customer_ids))


def online_retail_customers(path: Path) -> set[str]:
    """The external ids of the customers whose lines in the file are stored by its import."""
    return {
        line.customer
        for row in read_rows(path, detect_encoding(path), COLUMNS)
        if row.fields and isinstance(line := classify(row.fields), RetailLine)
    }


def online_retail_import(
    *,
    path: Path,
    rejects_path: Path,
    encoding: str | None = None,
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the file idempotently: every row is stored, a duplicate, or rejected with a reason.

    Two streaming passes keep memory flat: the first reads the whole file (a
    file that cannot be read is refused here, before anything is stored) and
    creates missing products (categorised by description) and customers, the
    second stores purchase lines in batches, each batch in its own transaction,
    so an interrupted import is completed by running it again. Rejected rows go
    to ``rejects_path`` with their line number and reason.
    """
    started = time.perf_counter()
    progress = progress or SilentProgress()
    report = ImportReport(encoding=encoding or detect_encoding(path))

    catalogue = _Catalogue()
    progress.begin("Scanning products and customers", None)
    for row in counted(read_rows(path, report.encoding, COLUMNS), progress):
        catalogue.rows += 1
        line = classify(row.fields)
        if isinstance(line, RetailLine):
            catalogue.add(line)
    category_ids = category_tree_sync()
    report.products, product_ids = products_create_missing(catalogue.products(category_ids))
    report.customers, customer_ids = customers_create_missing(catalogue.customers())

    def purchase(fields: list[str]) -> PurchaseRow | str:
        line = classify(fields)
        if not isinstance(line, RetailLine):
            return line
        return PurchaseRow(
            source=SOURCE,
            external_id=line.external_id,
            invoice=line.invoice,
            kind=PurchaseKind.RETURN if line.is_return else PurchaseKind.SALE,
            customer_id=customer_ids[line.customer],
            product_id=product_ids[line.sku],
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.unit_price * line.quantity,
            currency=CURRENCY,
            purchased_at=line.purchased_at,
            metadata={},
        )

    progress.begin("Importing purchase lines", catalogue.rows)
    store_lines(
        read_rows(path, report.encoding, COLUMNS), COLUMNS, purchase,
        lambda batch: purchases_record(batch, recompute_interests=False),
        report=report, rejects_path=rejects_path, batch_size=batch_size, progress=progress,
    )  # fmt: skip
    if report.stored:  # the shop's figures (popularity, re-purchase shares) on their next read
        market_invalidate()

    infer_interests(customer_ids.values(), report=report, progress=progress)
    report.seconds = time.perf_counter() - started
    return report
