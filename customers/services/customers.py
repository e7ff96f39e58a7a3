"""Writes to customers themselves."""

from __future__ import annotations

from collections.abc import Sequence

from customers.models import Customer
from marketing_platform.bulk import WriteCounts, create_missing_by


def customers_create_missing(customers: Sequence[Customer]) -> tuple[WriteCounts, dict[str, int]]:
    """Create customers whose external id is new; stored ones are left as they are.

    Returns the counts and the external id → id map of every given customer.
    """
    return create_missing_by(Customer, "external_id", customers)
