"""Money reads with its currency and two decimals, wherever the admin or an email shows it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from marketing_platform.money import money_text


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("2.55"), "GBP", "£2.55"),
        (Decimal("1234.5"), "EUR", "€1,234.50"),
        (Decimal("2.955"), "USD", "$2.96"),  # a stored third decimal rounds half up
        (Decimal("-2.95"), "GBP", "-£2.95"),  # a return: the sign before the currency
        (Decimal("-0.000"), "GBP", "£0.00"),
        (7, "gbp", "£7.00"),
        (Decimal("12.5"), "SEK", "12.50 SEK"),  # no sign known: the code after the figure
        (None, "GBP", "-"),
    ],
)
def test_amounts_read_with_their_currency_and_two_decimals(amount: Any, currency: str, shown: str) -> None:
    assert money_text(amount, currency) == shown


def test_an_amount_without_a_currency_is_in_the_shops(settings: Any) -> None:
    settings.DEFAULT_CURRENCY = "EUR"

    assert money_text(Decimal(3)) == "€3.00"
