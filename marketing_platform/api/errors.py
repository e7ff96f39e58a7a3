"""The one error envelope of the API and the exceptions that carry machine-readable codes."""

from __future__ import annotations

import logging
import math
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from marketing_platform.metrics import API_ERRORS
from marketing_platform.request_id import current_request_id

logger = logging.getLogger(__name__)
SERVER_ERROR_MESSAGE = "An unexpected error occurred; it has been logged with the request id."


class PlatformError(exceptions.APIException):
    """Base of our own API errors; subclasses set ``status_code`` and ``default_code``."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"
    default_detail = "The request could not be processed."

    def __init__(self, message: str | None = None, *, details: Any = None) -> None:
        super().__init__(message or self.default_detail, self.default_code)
        self.details = details


class FieldErrors(PlatformError):
    """Domain validation found problems in the input: ``[{field, code, message}]``."""

    default_code = "validation_error"
    default_detail = "The request is invalid; nothing was stored."

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(details={"errors": errors})


class WriteConflict(PlatformError):
    status_code = 409
    default_code = "conflict"
    default_detail = "A concurrent write conflicted with this request; nothing was stored. Retry it."


class PayloadTooLarge(PlatformError):
    status_code = 413
    default_code = "payload_too_large"

    def __init__(self) -> None:
        super().__init__(
            f"The request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes; nothing was read."
        )


class BadRequest(PlatformError):
    """What Django refuses as suspicious (too many fields, a malformed header…)."""

    default_code = "bad_request"
    default_detail = "The request is malformed."


def _is_leaf(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"message", "code"}


def _flatten(errors: Any, path: str = "") -> list[dict[str, str]]:
    """Turn DRF's nested ``get_full_details()`` into ``[{field, code, message}]``.

    Paths are dotted (``purchases.1.quantity``) so a client can point at the item.
    """
    if _is_leaf(errors):
        return [{"field": path, "code": str(errors["code"]), "message": str(errors["message"])}]
    if isinstance(errors, dict):
        children = [
            (
                path if key == api_settings.NON_FIELD_ERRORS_KEY else (f"{path}.{key}" if path else str(key)),
                value,
            )
            for key, value in errors.items()
        ]
    else:
        children = [
            (path if _is_leaf(value) else (f"{path}.{index}" if path else str(index)), value)
            for index, value in enumerate(errors)
        ]
    return [item for child_path, value in children for item in _flatten(value, child_path)]


def field_errors(exc: Exception) -> list[dict[str, str]]:
    """The per-item errors an exception carries, as the envelope lists them."""
    if isinstance(exc, exceptions.ValidationError):
        return _flatten(exc.get_full_details())
    if isinstance(exc, PlatformError) and isinstance(exc.details, dict):
        return list(exc.details.get("errors", []))
    return []


def envelope_body(*, error_code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {
        "error_code": error_code,
        "message": message,
        "details": details if details is not None else {},
        "timestamp": timezone.now().isoformat(),
        "request_id": current_request_id.get(),
    }


def envelope(*, status_code: int, error_code: str, message: str, details: Any = None) -> Response:
    return Response(
        envelope_body(error_code=error_code, message=message, details=details), status=status_code
    )


@csrf_exempt  # writes nothing: a POST with a session cookie is a 404 too, not a CSRF page
def api_not_found(request: HttpRequest) -> JsonResponse:
    """Catch-all for unknown paths under /api/: the envelope, whatever DEBUG says."""
    return JsonResponse(envelope_body(error_code="not_found", message="No such resource."), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler, for errors outside DRF views (middleware, plain views)."""
    if request.path.startswith("/api/"):
        body = envelope_body(error_code="server_error", message=SERVER_ERROR_MESSAGE)
        return JsonResponse(body, status=500)
    return defaults.server_error(request)


def envelope_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's exception handler: every error becomes the envelope, and is counted."""
    set_rollback()
    response = _envelope_for(exc)
    API_ERRORS.labels(error_code=response.data["error_code"], status=str(response.status_code)).inc()
    return response


def _envelope_for(exc: Exception) -> Response:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):  # raised when DRF reads request.body
        exc = PayloadTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = BadRequest()
    if isinstance(exc, PlatformError):
        return envelope(
            status_code=exc.status_code,
            error_code=str(exc.default_code),
            message=str(exc.detail),
            details=exc.details,
        )
    if isinstance(exc, exceptions.ValidationError):
        return envelope(
            status_code=exc.status_code,
            error_code="validation_error",
            message="The request is invalid; nothing was stored.",
            details={"errors": _flatten(exc.get_full_details())},
        )
    if isinstance(exc, exceptions.APIException):
        return _api_exception(exc)
    logger.exception("Unhandled API error", exc_info=exc)
    return envelope(status_code=500, error_code="server_error", message=SERVER_ERROR_MESSAGE)


def _api_exception(exc: exceptions.APIException) -> Response:
    detail: Any = exc.detail
    codes = exc.get_codes()
    details: dict[str, Any] = {}
    if isinstance(detail, dict):  # simplejwt: {"detail", "code", "messages"}
        details = {key: value for key, value in detail.items() if key not in ("detail", "code")}
        codes = detail.get("code", exc.default_code)
        detail = detail.get("detail", exc.default_detail)
    response = envelope(
        status_code=exc.status_code,
        error_code=str(codes) if isinstance(codes, str) else str(exc.default_code),
        message=str(detail),
        details=details,
    )
    if getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        response["Retry-After"] = str(max(1, math.ceil(wait)))
    return response
