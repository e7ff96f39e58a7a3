"""The ranges of times and amounts the platform accepts, in one place.

The ingest API, the importers and the admin refuse the same values for the same
reasons: a purchase dated in year 1 or 9999, or a quantity of 1e14, is a bug in
its source, and stored it would skew every recency weight, total and model
trained on it. Importers report the reason's value as the line's reject reason,
the API as the field's error code.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

MAX_QUANTITY = 1_000_000
MAX_UNIT_PRICE = Decimal("1000000")
# What the amount column holds: 14 digits, 3 of them decimals.
MAX_AMOUNT = Decimal("99999999999.999")


class OutOfRange(StrEnum):
    TIME_TOO_EARLY = "time_too_early"
    TIME_IN_FUTURE = "time_in_future"
    QUANTITY_TOO_LARGE = "quantity_too_large"
    PRICE_TOO_LARGE = "price_too_large"
    AMOUNT_TOO_LARGE = "amount_too_large"


def earliest_moment() -> datetime:
    return datetime.combine(settings.ACTIVITY_EARLIEST_DATE, time.min, tzinfo=UTC)


def latest_moment() -> datetime:
    """Now, plus the clock skew allowed to the client that says when something happened."""
    return timezone.now() + settings.ACTIVITY_CLOCK_SKEW


def moment_out_of_range(moment: datetime) -> OutOfRange | None:
    """Why the time of a purchase or an event is refused, if it is (``moment`` is aware)."""
    if moment < earliest_moment():
        return OutOfRange.TIME_TOO_EARLY
    if moment > latest_moment():
        return OutOfRange.TIME_IN_FUTURE
    return None


def quantity_out_of_range(quantity: int) -> OutOfRange | None:
    """Returns count negative: the size is what is bounded."""
    return OutOfRange.QUANTITY_TOO_LARGE if abs(quantity) > MAX_QUANTITY else None


def price_out_of_range(unit_price: Decimal, quantity: int) -> OutOfRange | None:
    """The unit price's bound, then the line's amount's (``unit_price`` is not negative)."""
    if unit_price > MAX_UNIT_PRICE:
        return OutOfRange.PRICE_TOO_LARGE
    if unit_price * abs(quantity) > MAX_AMOUNT:
        return OutOfRange.AMOUNT_TOO_LARGE
    return None


def validate_moment(moment: datetime) -> None:
    """The time range as a validator, for serializer and form fields."""
    match moment_out_of_range(moment):
        case OutOfRange.TIME_TOO_EARLY:
            raise ValidationError(
                f"Must be on or after {earliest_moment():%Y-%m-%d}.", code=OutOfRange.TIME_TOO_EARLY
            )
        case OutOfRange.TIME_IN_FUTURE:
            raise ValidationError(
                f"Must not be more than {settings.ACTIVITY_CLOCK_SKEW / timedelta(hours=1):g} h from now.",
                code=OutOfRange.TIME_IN_FUTURE,
            )


def validate_quantity(quantity: int) -> None:
    if quantity_out_of_range(quantity):
        raise ValidationError(
            f"Must be at most {MAX_QUANTITY:,} in size.", code=OutOfRange.QUANTITY_TOO_LARGE
        )


def validate_unit_price(unit_price: Decimal) -> None:
    if unit_price > MAX_UNIT_PRICE:
        raise ValidationError(f"Must be at most {MAX_UNIT_PRICE:,}.", code=OutOfRange.PRICE_TOO_LARGE)
