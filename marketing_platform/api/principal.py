"""Who is calling: staff, a service (API key), a customer, or nobody yet."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from rest_framework.request import Request

from marketing_platform.models import ApiKey


class Role(StrEnum):
    STAFF = "staff"
    SERVICE = "service"
    CUSTOMER = "customer"
    NONE = "none"  # authenticated, but neither staff nor linked to a customer
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Principal:
    role: Role
    rate_key: str | None  # None: rate-limited by client IP
    customer_id: int | None = None
    scopes: frozenset[str] = frozenset()

    @property
    def own_customer_id(self) -> int:
        """The customer a customer principal is; only meaningful for that role."""
        if self.customer_id is None:
            raise LookupError(f"a {self.role} principal is no customer")
        return self.customer_id


def principal_of(request: Request) -> Principal:
    """The caller of an authenticated DRF request, computed once per request."""
    cached: Principal | None = getattr(request, "_principal", None)
    if cached is not None:
        return cached
    principal = _principal(request)
    request._principal = principal  # type: ignore[attr-defined]
    return principal


def _principal(request: Request) -> Principal:
    if isinstance(request.auth, ApiKey):
        return Principal(Role.SERVICE, f"key:{request.auth.pk}", scopes=frozenset(request.auth.scopes))
    user = request.user
    if user is None or not user.is_authenticated:
        return Principal(Role.ANONYMOUS, None)
    if user.is_staff:
        return Principal(Role.STAFF, f"user:{user.pk}")
    customer_pk = _customer_pk(user)
    if customer_pk is not None:
        return Principal(Role.CUSTOMER, f"user:{user.pk}", customer_id=customer_pk)
    return Principal(Role.NONE, f"user:{user.pk}")


def _customer_pk(user: Any) -> int | None:
    """Read with the user by JWT authentication; a session's user looks its customer up."""
    if hasattr(user, "customer_pk"):
        return cast(int | None, user.customer_pk)
    customer = getattr(user, "customer", None)
    return None if customer is None else cast(int, customer.pk)
