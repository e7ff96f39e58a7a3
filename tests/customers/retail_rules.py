"""The Online Retail README's description of the file, written independently of the importer."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

SERVICE_CODES = {"POST", "DOT", "M", "C2", "D", "S", "BANK CHARGES", "AMAZONFEE", "CRUK", "PADS", "B"}


def is_service(code: str) -> bool:
    upper = code.upper()
    return upper in SERVICE_CODES or upper.startswith(("GIFT_0001_", "DCGS"))


def reason(row: list[str]) -> str | None:
    invoice, code, _, quantity, _, price, customer, _ = row
    if is_service(code):
        return "not_a_product"
    if not customer:
        return "missing_customer"
    if float(price) <= 0:
        return "non_positive_price"
    if int(quantity) == 0 or (int(quantity) < 0) != invoice.startswith("C"):
        return "invalid_quantity"
    return None


@dataclass
class Expected:
    read: int
    stored: int
    duplicate: int
    rejected: Counter[str]
    sales: int
    returns: int
    customers: int
    products: int


def expected_counts(path: Path) -> Expected:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))[1:]
    rejected: Counter[str] = Counter()
    kept: set[tuple[str, ...]] = set()
    storable = 0
    for row in rows:
        why = reason(row)
        if why:
            rejected[why] += 1
        else:
            storable += 1
            kept.add((*row[:2], row[2].strip(), *row[3:]))
    return Expected(
        read=len(rows),
        stored=len(kept),
        duplicate=storable - len(kept),
        rejected=rejected,
        sales=sum(1 for row in kept if not row[0].startswith("C")),
        returns=sum(1 for row in kept if row[0].startswith("C")),
        customers=len({row[6] for row in kept}),
        products=len({row[1] for row in kept}),
    )
