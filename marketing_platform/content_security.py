"""Content-Security-Policy headers for the platform's own pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase

View = Callable[..., HttpResponseBase]


def static_files_only(*, images_from: Sequence[str] = ()) -> str:
    """Scripts and styles only from the platform's static files, nothing from another host but
    pictures from ``images_from`` (origins)."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            " ".join(("img-src 'self' data:", *images_from)),
            "font-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'self'",
            "form-action 'self'",
        )
    )


# Admin pages that draw charts (the charts' specs are JSON data blocks, which no policy blocks).
STATIC_FILES_ONLY = static_files_only()


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
