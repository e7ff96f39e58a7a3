"""Roles: staff may do everything, services what their key's scopes allow, customers read their own."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from marketing_platform.api.principal import Role, principal_of

# The methods of a view that only read: what a customer principal may call on its own data.
READS = frozenset({"GET", "HEAD", "OPTIONS"})


class RolePermission(BasePermission):
    """Reads two attributes of the view.

    ``scopes``: method → the API-key scope it needs (a method not listed is staff-only).
    ``customer_methods``: methods a customer principal may call; the view's
    queryset then holds only that customer's data, so anything else is a 404.
    """

    message = "Your role may not do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        principal = principal_of(request)
        if principal.role == Role.STAFF:
            return True
        if principal.role == Role.SERVICE:
            needed = getattr(view, "scopes", {}).get(request.method)
            return needed is not None and needed in principal.scopes
        if principal.role == Role.CUSTOMER:
            return request.method in getattr(view, "customer_methods", frozenset())
        return False
