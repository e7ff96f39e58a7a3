"""Finding the customer a URL names, as the caller may see it."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.request import Request

from customers.selectors import visible_customer_pk
from marketing_platform.api.principal import principal_of


def customer_pk_or_404(request: Request, external_id: str) -> int:
    """The customer's id; 404 when it does not exist or is not the caller's to see (another
    customer's login gets the same 404, so existence does not leak)."""
    pk = visible_customer_pk(principal_of(request), external_id)
    if pk is None:
        raise exceptions.NotFound("No such customer.")
    return pk
