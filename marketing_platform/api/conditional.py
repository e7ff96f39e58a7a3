"""Conditional GETs: a weak ETag from what an answer depends on, and how the schema says so."""

from __future__ import annotations

import hashlib

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse


def weak_etag(state: str) -> str:
    """An opaque validator of ``state`` (which may name internal ids: it is hashed)."""
    return f'W/"{hashlib.blake2b(state.encode(), digest_size=12).hexdigest()}"'


def conditional_parameters(held: str, given: str) -> list[OpenApiParameter]:
    """``If-None-Match`` (what the client holds) and the ``ETag`` answered with 200 and 304."""
    return [
        OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER, description=held),
        OpenApiParameter("ETag", str, OpenApiParameter.HEADER, description=given, response=[200, 304]),
    ]


NOT_MODIFIED = OpenApiResponse(description="Not modified: the answer you hold (If-None-Match) stands.")
