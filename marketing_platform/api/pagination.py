from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor as CursorPosition
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request


class Cursor(CursorPagination):
    """Stable pages over large, changing tables: a cursor, never an offset.

    A cursor marks a position in one ordering, so views order only by unique
    fields (``id``, ``external_id``, ``sku``, ``slug``): with ties, rows sharing a
    value at a page boundary would be skipped. Filters narrow by time instead.
    A malformed ``cursor`` or ``page_size`` is the client's mistake: 400, not
    DRF's 404 or a silent fallback.
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

    def decode_cursor(self, request: Request) -> CursorPosition | None:
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise serializers.ValidationError(
                {self.cursor_query_param: ["This cursor was not made by this API."]}, code="invalid"
            ) from exc

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters
