"""Content-Security-Policy headers for the platform's own pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase

View = Callable[..., HttpResponseBase]

# Admin pages that draw charts: scripts and styles only from the platform's static files (the
# charts' specs are JSON data blocks, which no policy blocks), nothing from another host.
STATIC_FILES_ONLY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'self'",
        "form-action 'self'",
    )
)


def content_security_policy(policy: str) -> Callable[[View], View]:
    """A view decorator: the view's responses carry ``policy``."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            response["Content-Security-Policy"] = policy
            return response

        return wrapped

    return decorate
