"""Prometheus metrics behind the API's authentication: staff, or a key with metrics:read."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django_prometheus.exports import ExportToDjangoView
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from marketing_platform.api.scopes import Scope


class PrometheusTextRenderer(BaseRenderer):
    """Lets a scraper ask for text/plain; only errors reach it, kept as the JSON envelope."""

    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(
        self, data: object, accepted_media_type: str | None = None, renderer_context: object = None
    ) -> bytes:
        return json.dumps(data).encode()


class MetricsView(APIView):
    """Request, database and platform counters (ingested and rejected items, API errors by code)."""

    scopes = {"GET": Scope.METRICS_READ}
    renderer_classes = (JSONRenderer, PrometheusTextRenderer)

    @extend_schema(responses={(200, "text/plain"): OpenApiResponse(OpenApiTypes.STR)})
    def get(self, request: Request) -> HttpResponse:
        return ExportToDjangoView(request._request)
