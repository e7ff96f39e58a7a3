"""Money as people read it: the currency's sign (or code) and two decimals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CURRENCY_SIGNS = {"GBP": "£", "EUR": "€", "USD": "$"}
CENT = Decimal("0.01")


def money_text(amount: Decimal | int | None, currency: str | None = None) -> str:
    """``£1,234.50``, ``-£2.95`` for a refund, ``2.95 SEK`` for a currency without a sign here;
    the shop's ``DEFAULT_CURRENCY`` when none is given, ``-`` for no amount."""
    if amount is None:
        return "-"
    currency = (currency or settings.DEFAULT_CURRENCY).upper()
    value = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    digits = f"{abs(value):,}"
    sign = CURRENCY_SIGNS.get(currency)
    shown = f"{sign}{digits}" if sign else f"{digits} {currency}"
    return f"-{shown}" if value < 0 else shown
