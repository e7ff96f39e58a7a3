"""Any interaction log as CSV: which column holds the customer, the product, the time, and
optionally a quantity, a rating (kept when at least a threshold), a product name and a category."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from marketing_platform.ranges import OutOfRange, moment_out_of_range, quantity_out_of_range


class InteractionReject(StrEnum):
    MISSING_CUSTOMER = "missing_customer"
    MISSING_PRODUCT = "missing_product"
    BAD_TIME = "bad_time"
    BAD_QUANTITY = "bad_quantity"
    BAD_RATING = "bad_rating"
    BELOW_THRESHOLD = "below_threshold"


@dataclass(frozen=True)
class ColumnMap:
    customer: str
    product: str
    timestamp: str
    quantity: str | None = None
    rating: str | None = None
    rating_threshold: float | None = None
    product_name: str | None = None
    category: str | None = None

    @property
    def columns(self) -> list[str]:
        """The columns read, in the order ``InteractionLine.parse`` takes them."""
        optional = (self.quantity, self.rating, self.product_name, self.category)
        return [self.customer, self.product, self.timestamp, *(name for name in optional if name)]


@dataclass(frozen=True, slots=True)
class InteractionLine:
    customer: str
    product: str
    occurred_at: datetime
    quantity: int | None
    rating: float | None
    product_name: str
    category: str

    @property
    def external_id(self) -> str:
        """Same line, same key: importing the file again stores nothing twice."""
        parts = (self.customer, self.product, self.occurred_at.isoformat(), self.quantity, self.rating)
        content = "\x1f".join(map(str, parts))
        return hashlib.blake2b(content.encode(), digest_size=12).hexdigest()


def parse_time(text: str) -> datetime:
    """ISO 8601 (naive means UTC) or Unix seconds."""
    text = text.strip()
    if text.replace(".", "", 1).isdigit():
        return datetime.fromtimestamp(float(text), tz=UTC)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def classify(fields: list[str], columns: ColumnMap) -> InteractionLine | InteractionReject | OutOfRange:
    values = dict(zip(columns.columns, (field.strip() for field in fields), strict=True))
    customer, product = values[columns.customer], values[columns.product]
    if not customer:
        return InteractionReject.MISSING_CUSTOMER
    if not product:
        return InteractionReject.MISSING_PRODUCT
    try:
        occurred_at = parse_time(values[columns.timestamp])
    except (ValueError, OverflowError, OSError):
        return InteractionReject.BAD_TIME
    if out_of_range := moment_out_of_range(occurred_at):
        return out_of_range
    quantity = None
    if columns.quantity:
        try:
            quantity = int(values[columns.quantity])
        except ValueError:
            return InteractionReject.BAD_QUANTITY
        if quantity <= 0:
            return InteractionReject.BAD_QUANTITY
        if too_large := quantity_out_of_range(quantity):
            return too_large
    rating = None
    if columns.rating:
        try:
            rating = float(values[columns.rating])
        except ValueError:
            return InteractionReject.BAD_RATING
        if not math.isfinite(rating):
            return InteractionReject.BAD_RATING
        if columns.rating_threshold is not None and rating < columns.rating_threshold:
            return InteractionReject.BELOW_THRESHOLD
    return InteractionLine(
        customer=customer[:64],
        product=product[:64],
        occurred_at=occurred_at,
        quantity=quantity,
        rating=rating,
        product_name=(values.get(columns.product_name or "", "") or product)[:255],
        category=values.get(columns.category or "", ""),
    )
