"""OpenAPI: the error envelope, documented on every operation with the codes it can carry."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


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
    """Adds the envelope responses each operation can answer, unless the view documents its own."""

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
        elif self._is_list_view() and self.get_filter_backends():
            errors[400] = error("validation_error")
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            errors[401] = error(*AUTHENTICATION_ERRORS)
            errors[403] = error("permission_denied")
        if "{" in self.path:
            errors[404] = error("not_found")
        return errors
