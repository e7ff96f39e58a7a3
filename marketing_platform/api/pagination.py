from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor as CursorPosition
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

INVALID_CURSOR = "This cursor was not made by this API."


class Cursor(CursorPagination):
    """Stable pages over large, changing tables: a cursor, never an offset.

    A cursor marks a position in one ordering, so views order only by unique
    fields (``id``, ``external_id``, ``sku``, ``slug``): with ties, rows sharing a
    value at a page boundary would be skipped. Filters narrow by time instead.
    A malformed ``cursor`` or ``page_size`` is the client's mistake: 400, not
    DRF's 404 or a silent fallback. The cursor is base64 the client can forge, so
    its position must be a valid value of the ordering field before it reaches SQL.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-pk"

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = serializers.IntegerField(min_value=1, max_value=self.max_page_size)
        try:
            return int(size.run_validation(raw))
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({self.page_size_query_param: exc.detail}) from exc

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: Any = None
    ) -> list[Any] | None:
        self.queryset = queryset
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> CursorPosition | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound as exc:
            raise self._invalid() from exc
        if cursor is not None and cursor.position is not None:
            self._check_position(str(cursor.position))
        return cursor

    def _check_position(self, position: str) -> None:
        """Refuse a position the ordering field could not hold (text for an id, a NUL, out of range)."""
        if "\x00" in position:  # PostgreSQL text cannot hold it
            raise self._invalid()
        field = self.queryset.query.chain().resolve_ref(self.ordering[0].lstrip("-")).output_field
        try:
            field.run_validators(field.to_python(position))
        except (DjangoValidationError, TypeError, ValueError) as exc:
            raise self._invalid() from exc

    def _invalid(self) -> serializers.ValidationError:
        return serializers.ValidationError({self.cursor_query_param: [INVALID_CURSOR]}, code="invalid")

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters
