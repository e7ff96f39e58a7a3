"""Importing a generic interaction log (see ``customers.importers.interactions``)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from catalog.models import Product
from catalog.services import categories_create_missing, category_tree_sync, products_create_missing
from catalog.taxonomy import categorize
from customers.importers.csv_files import detect_encoding, read_rows
from customers.importers.interactions import ColumnMap, InteractionLine, classify
from customers.models import Customer, InteractionKind
from customers.services.activity import EventRow, events_record
from customers.services.customers import customers_create_missing
from customers.services.interests import interest_taxonomy_sync_from_catalog
from customers.services.retail_import import (
    ImportReport,
    Progress,
    SilentProgress,
    counted,
    infer_interests,
    store_lines,
)
from recommendations.cache import market_invalidate


def interactions_import(
    *,
    path: Path,
    columns: ColumnMap,
    source: str,
    kind: InteractionKind = InteractionKind.PURCHASE,
    rejects_path: Path,
    encoding: str | None = None,
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> ImportReport:
    """Store every line as an interaction event of ``kind``, idempotently (a line's key is a
    hash of its content). A first pass reads the whole file (a file that cannot be read is
    refused before anything is stored) and creates the products and customers it names: a
    product's category is the file's (matched by slug or name, created when the tree lacks
    it) or, without one, the one its name suggests. Each batch drops its customers' cached
    recommendations and notes the graph nodes of those who bought (``events_record``);
    purchases end, as the Online Retail import does, with the interests of everyone in the
    file."""
    started = time.perf_counter()
    progress = progress or SilentProgress()
    report = ImportReport(encoding=encoding or detect_encoding(path))
    products: dict[str, tuple[str, str]] = {}
    customers: set[str] = set()
    progress.begin("Scanning products and customers", None)
    for row in counted(read_rows(path, report.encoding, columns.columns), progress):
        line = classify(row.fields, columns) if row.fields else None
        if isinstance(line, InteractionLine):
            products.setdefault(line.product, (line.product_name, line.category))
            customers.add(line.customer)
    report.products, product_ids = products_create_missing(_products(products, category_tree_sync()))
    report.customers, customer_ids = customers_create_missing(
        [Customer(external_id=c) for c in sorted(customers)]
    )

    def event(fields: list[str]) -> EventRow | str:
        line = classify(fields, columns)
        if not isinstance(line, InteractionLine):
            return line
        metadata = {k: v for k, v in (("quantity", line.quantity), ("rating", line.rating)) if v is not None}
        return EventRow(
            source=source,
            external_id=line.external_id,
            customer_id=customer_ids[line.customer],
            product_id=product_ids[line.product],
            kind=kind,
            occurred_at=line.occurred_at,
            metadata=metadata,
        )

    progress.begin("Importing interactions", None)
    store_lines(
        read_rows(path, report.encoding, columns.columns), columns.columns, event,
        lambda batch: events_record(batch, recompute_interests=False),
        report=report, rejects_path=rejects_path, batch_size=batch_size, progress=progress,
    )  # fmt: skip
    if report.stored:  # the shop's figures and its products' words on their next read
        market_invalidate()
    if kind == InteractionKind.PURCHASE:
        infer_interests(customer_ids.values(), report=report, progress=progress)
    report.seconds = time.perf_counter() - started
    return report


def _products(found: Mapping[str, tuple[str, str]], category_ids: Mapping[str, int]) -> list[Product]:
    """The file's products in the file's categories (created when the tree lacks them, so a shop
    keeps its own taxonomy), or, without one, the category its name suggests."""
    given = categories_create_missing([category for _, category in found.values()])
    interest_taxonomy_sync_from_catalog()
    return [
        Product(
            sku=sku,
            name=name,
            category_id=given.get(category.strip().casefold()) or category_ids[categorize(name)],
        )
        for sku, (name, category) in found.items()
    ]
