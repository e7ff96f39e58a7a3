"""Reading and classifying the UCI Online Retail CSV (pure: rows in, lines or reasons out).

The file mixes sales with cancellations, stock write-offs, fees, postage and
exact duplicate rows. Each row becomes either a :class:`RetailLine` to store or
a :class:`RejectReason` that says why not.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import IO, cast
from zoneinfo import ZoneInfo

SOURCE = "online-retail"
COLUMNS = (
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
)
# Invoice dates are UK local wall-clock times.
SOURCE_TIMEZONE = ZoneInfo("Europe/London")
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M")
# Real products have a five-digit stock code (with an optional variant suffix);
# POST, DOT, M, BANK CHARGES, AMAZONFEE, gift_0001_*, DCGS* … are fees and services.
PRODUCT_CODE = re.compile(r"^\d{5}")
UNSPECIFIED_COUNTRY = "Unspecified"


class RejectReason(StrEnum):
    MALFORMED = "malformed_row"
    NOT_A_PRODUCT = "not_a_product"
    MISSING_CUSTOMER = "missing_customer"
    NON_POSITIVE_PRICE = "non_positive_price"
    INVALID_QUANTITY = "invalid_quantity"


class MissingColumnsError(ValueError):
    def __init__(self, missing: list[str], found: list[str], expected: Sequence[str] = COLUMNS) -> None:
        super().__init__(
            f"The file lacks the column(s) {', '.join(missing)}. "
            f"Expected {', '.join(expected)}; found {', '.join(found) or 'no header'}."
        )


@dataclass(frozen=True, slots=True)
class RetailLine:
    invoice: str
    sku: str
    description: str
    quantity: int
    purchased_at: datetime
    unit_price: Decimal
    customer: str
    country: str

    @property
    def is_return(self) -> bool:
        return self.invoice.startswith("C")

    @property
    def external_id(self) -> str:
        """Invoice plus a digest of the line's content: exact duplicates share it."""
        content = "|".join(
            (
                self.sku,
                self.description,
                str(self.quantity),
                self.purchased_at.isoformat(),
                format(self.unit_price.normalize(), "f"),
                self.customer,
                self.country,
            )
        )
        return f"{self.invoice}/{hashlib.blake2b(content.encode(), digest_size=8).hexdigest()}"


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as such, else ISO-8859-1."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with _open_binary(path) as raw:
        try:
            while chunk := raw.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "iso-8859-1"
    return "utf-8-sig"


def _open_binary(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return cast(IO[bytes], gzip.open(path, "rb")) if gzipped else path.open("rb")


def read_rows(
    path: Path, encoding: str, columns: Sequence[str] = COLUMNS
) -> Iterator[tuple[list[str], list[str]]]:
    """Yield ``(raw row, fields in ``columns`` order)``; the fields are empty for a ragged row."""
    with io.TextIOWrapper(_open_binary(path), encoding=encoding, newline="") as text:
        reader = csv.reader(text)
        header = [name.strip().lstrip("\ufeff") for name in next(reader, [])]
        missing = [name for name in columns if name not in header]
        if missing:
            raise MissingColumnsError(missing, header, columns)
        positions = [header.index(name) for name in columns]
        width = len(header)
        for row in reader:
            yield row, ([row[i] for i in positions] if len(row) == width else [])


@lru_cache(maxsize=65536)
def _parse_time(text: str) -> datetime:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=SOURCE_TIMEZONE)
        except ValueError:
            continue
    raise ValueError(text)


@lru_cache(maxsize=65536)
def _parse_price(text: str) -> Decimal:
    return Decimal(text)


def classify(row: list[str]) -> RetailLine | RejectReason:
    """A line to store, or why the row is not a customer's product purchase."""
    if not row:
        return RejectReason.MALFORMED
    invoice, sku, description, quantity_text, date_text, price_text, customer, country = (
        field.strip() for field in row
    )
    try:
        quantity = int(quantity_text)
        unit_price = _parse_price(price_text)
        purchased_at = _parse_time(date_text)
    except (ValueError, InvalidOperation):
        return RejectReason.MALFORMED
    if not invoice or not unit_price.is_finite():
        return RejectReason.MALFORMED
    if not PRODUCT_CODE.match(sku):
        return RejectReason.NOT_A_PRODUCT
    if not customer:
        return RejectReason.MISSING_CUSTOMER
    if unit_price <= 0:
        return RejectReason.NON_POSITIVE_PRICE
    line = RetailLine(
        invoice=invoice,
        sku=sku,
        description=description,
        quantity=quantity,
        purchased_at=purchased_at,
        unit_price=unit_price,
        customer=customer.removesuffix(".0"),
        country="" if country == UNSPECIFIED_COUNTRY else country,
    )
    if quantity == 0 or (quantity < 0) != line.is_return:
        return RejectReason.INVALID_QUANTITY
    return line
