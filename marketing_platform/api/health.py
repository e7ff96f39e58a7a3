"""Liveness of the parts the platform runs on, each with its latency.

A part in ``CHECKS`` that is down makes the platform down (503). A part in ``DEGRADING`` that
is down leaves it ``degraded`` (200): only what needs it fails (the message vectors: search).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache, caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from conversations.services.vectors import vector_store_ready
from graph.port import get_graph
from marketing_platform.cache import CacheUnavailable, cache_unavailable
from marketing_platform.celery import app as celery_app


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def _cache() -> str:
    cache.set("health:probe", "ok", timeout=5)
    if cache.get("health:probe") != "ok":
        if cache_unavailable():  # calls degrade to misses; health tells the truth
            raise CacheUnavailable("the cache cannot be reached")
        raise RuntimeError("cache did not return the value it was given")
    return "redis" if "redis" in type(caches["default"]).__name__.lower() else "files"


def _broker() -> str:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return str(conn.transport_cls)


def _media() -> str:
    name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as probe:
            if probe.read() != b"ok":
                raise RuntimeError("media storage returned other bytes")
    finally:
        default_storage.delete(name)
    return "object store" if settings.MEDIA_S3_BUCKET else "files"


def _graph() -> str:
    graph = get_graph()
    graph.ping()
    return graph.adapter


def _vectors() -> dict[str, object]:
    _, store = vector_store_ready()
    return {"kind": store.name, "count": store.count()}


# Each check raises when its part is down, else names what the part is (and what it holds).
Check = Callable[[], str | dict[str, object]]
CHECKS: dict[str, Check] = {
    "database": _database,
    "cache": _cache,
    "broker": _broker,
    "graph": _graph,
    "media": _media,
}
DEGRADING: dict[str, Check] = {"vectors": _vectors}


@extend_schema(
    responses={
        (200, "application/json"): inline_serializer(
            "Health",
            {
                "status": serializers.ChoiceField(choices=["up", "degraded", "down"]),
                "down": serializers.ListField(child=serializers.CharField()),
                "checks": serializers.DictField(),
            },
        )
    }
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health(request: Request) -> Response:
    checks: dict[str, dict[str, object]] = {}
    for name, check in (CHECKS | DEGRADING).items():
        started = time.perf_counter()
        try:
            found = check()
        except Exception as exc:  # noqa: BLE001 - any failure means the part is down
            checks[name] = {"status": "down", "error": type(exc).__name__}
        else:
            checks[name] = {"status": "up", **(found if isinstance(found, dict) else {"kind": found})}
        checks[name]["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    down = [name for name, result in checks.items() if result["status"] != "up"]
    status = "down" if set(down) & set(CHECKS) else "degraded" if down else "up"
    body = {"status": status, "down": down, "checks": checks}
    return Response(body, status=503 if status == "down" else 200)
