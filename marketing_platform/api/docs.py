"""The API's schema and its two readers, Swagger UI and Redoc, served by the platform alone.

Their scripts and styles are static files of the platform (drf-spectacular-sidecar), and a
Content-Security-Policy keeps the pages from loading anything from another host (Redoc's
footer logo, for one), so the docs read the same offline.
"""

from __future__ import annotations

from collections.abc import Iterable

from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

from marketing_platform.content_security import content_security_policy

SAME_ORIGIN_ONLY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",  # the pages start their reader inline
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",  # Redoc searches in a worker
        "connect-src 'self'",
        "frame-ancestors 'self'",
    )
)


same_origin_only = content_security_policy(SAME_ORIGIN_ONLY)  # the page loads nothing from another host


class FormatParameterNegotiation(DefaultContentNegotiation):
    """``?format=json`` (or ``yaml``) as well as the Accept header: ``/api/schema/?format=json``
    opens in a browser. The rest of the API reads the Accept header only."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        chosen: tuple[BaseRenderer, str] = super().select_renderer(
            request, renderers, format_suffix or request.query_params.get("format")
        )
        return chosen


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema: YAML by default; JSON for ``Accept: application/json`` or ``?format=json``,
    as ``application/json`` (which browsers show) unless the OpenAPI media type is asked for."""

    content_negotiation_class = FormatParameterNegotiation
    renderer_classes = [OpenApiYamlRenderer, OpenApiYamlRenderer2, OpenApiJsonRenderer2, OpenApiJsonRenderer]


class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"  # Redoc without the web fonts drf-spectacular's page links
