"""Reading and classifying the UCI Online Retail CSV (pure: rows in, lines or reasons out).

The file mixes sales with cancellations, stock write-offs, fees, postage and
exact duplicate rows. Each row becomes either a :class:`RetailLine` to store or
a reason that says why not: a :class:`RejectReason`, or an ``OutOfRange`` time,
quantity or price.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from marketing_platform.ranges import (
    OutOfRange,
    moment_out_of_range,
    price_out_of_range,
    quantity_out_of_range,
)

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
# What the columns hold: invoice, stock code, customer id and country; the product's name.
MAX_CODE = 64
MAX_DESCRIPTION = 255


class RejectReason(StrEnum):
    MALFORMED = "malformed_row"
    NOT_A_PRODUCT = "not_a_product"
    MISSING_CUSTOMER = "missing_customer"
    NON_POSITIVE_PRICE = "non_positive_price"
    INVALID_QUANTITY = "invalid_quantity"
    TOO_LONG = "field_too_long"


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


def classify(row: list[str]) -> RetailLine | RejectReason | OutOfRange:
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
    if max(map(len, (invoice, sku, customer, country))) > MAX_CODE or len(description) > MAX_DESCRIPTION:
        return RejectReason.TOO_LONG
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
    return (
        moment_out_of_range(purchased_at)
        or quantity_out_of_range(quantity)
        or price_out_of_range(unit_price, quantity)
        or line
    )
