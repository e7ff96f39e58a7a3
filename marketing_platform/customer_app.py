"""The customer's app (frontend/app, built by ``make frontend``): one page for ``/app/`` and every
path under it, which the app routes itself."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from marketing_platform.content_security import STATIC_FILES_ONLY, content_security_policy

BUILT_PAGE = Path(settings.BASE_DIR) / "static" / "app" / "index.html"


@require_safe
@content_security_policy(STATIC_FILES_ONLY)
def customer_app(request: HttpRequest, path: str = "") -> HttpResponse:
    """The built page; a readable 503 where the app was not built."""
    try:
        page = BUILT_PAGE.read_text(encoding="utf-8")
    except FileNotFoundError:
        return HttpResponse(
            "The customer app is not built: run `make frontend`.", status=503, content_type="text/plain"
        )
    response = HttpResponse(page)
    response["Cache-Control"] = "no-cache"  # the page names the hashed files of the latest build
    return response
