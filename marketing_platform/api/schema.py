"""OpenAPI: the error envelope, documented on every operation with the codes it can carry."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from marketing_platform.api.strict import StrictDecimalField, StrictSerializer
from marketing_platform.api.summaries import OPERATION_SUMMARIES
from marketing_platform.api.tags import api_tag_for


class ErrorDetailItem(serializers.Serializer):
    field = serializers.CharField(help_text="Dotted path of the offending input, e.g. purchases.1.quantity.")
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorEnvelope(serializers.Serializer):
    error_code = serializers.CharField(help_text="Machine-readable, e.g. validation_error.")
    message = serializers.CharField()
    details = serializers.JSONField(help_text="For validation errors: {errors: [{field, code, message}]}.")
    timestamp = serializers.DateTimeField()
    request_id = serializers.CharField()


def decimal_schema(field: StrictDecimalField) -> dict[str, Any]:
    digits = (field.max_digits or 20) - (field.decimal_places or 0)
    places = field.decimal_places or 0
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    fraction = rf"(\.\d{{1,{places}}})?" if places else ""
    number: dict[str, Any] = {"type": "number", "maximum": float(10**digits) - 10.0**-places}
    if field.min_value is not None:
        number["minimum"] = float(field.min_value)
    return {
        "oneOf": [{"type": "string", "pattern": rf"^{sign}\d{{1,{digits}}}{fraction}$"}, number],
        "description": field.help_text or "A decimal, as a JSON number or a string.",
    }


def error(*codes: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorEnvelope, description="error_code: " + ", ".join(codes))


AUTHENTICATION_ERRORS = (
    "not_authenticated",
    "authentication_failed",
    "token_not_valid",
    "user_inactive",
    "invalid_api_key",
    "api_key_revoked",
    "api_key_expired",
)


class PlatformAutoSchema(AutoSchema):
    """Adds the envelope responses each operation can answer, unless the view documents its own.

    It also tells clients what the strict input fields accept: no undeclared
    properties in a strict serializer, decimals as a JSON number or a decimal string; and
    files each operation under the resource its path names (``api_tag_for``).
    """

    def get_tags(self) -> list[str]:
        tag = api_tag_for(self.path)
        return [tag] if tag else super().get_tags()

    def get_summary(self) -> str | None:
        return super().get_summary() or OPERATION_SUMMARIES.get(self.get_operation_id())

    def _map_serializer(
        self, serializer: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and isinstance(serializer, StrictSerializer):
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        if isinstance(field, StrictDecimalField) and direction == "request":
            return decimal_schema(field)
        schema: dict[str, Any] = super()._map_serializer_field(field, direction, bypass_extensions)
        return schema

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code, response in self._error_responses().items():
            responses.setdefault(
                str(code), self._get_response_for_code(response, str(code), direction=direction)
            )
        return responses

    def _error_responses(self) -> dict[int, OpenApiResponse]:
        errors: dict[int, OpenApiResponse] = {
            406: error("not_acceptable"),
            429: error("throttled"),
            500: error("server_error"),
        }
        if self.method in ("POST", "PUT", "PATCH"):
            errors[400] = error("validation_error", "parse_error")
            errors[415] = error("unsupported_media_type")
        elif self._is_list_view():
            errors[400] = error("validation_error")
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            errors[401] = error(*AUTHENTICATION_ERRORS)
            errors[403] = error("permission_denied")
        if "{" in self.path:
            errors[404] = error("not_found")
        return errors
