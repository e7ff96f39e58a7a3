"""The customer's app (frontend/app, built by ``make frontend``): one page for ``/app/`` and every
path under it, which the app routes itself."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from marketing_platform.content_security import static_files_only

BUILT_PAGE = Path(settings.BASE_DIR) / "static" / "app" / "index.html"


def media_store_origins() -> list[str]:
    """Where browsers fetch the board's picture when /media/ redirects them to the object store."""
    if not settings.MEDIA_S3_BUCKET:
        return []
    options = settings.STORAGES["default"].get("OPTIONS", {})
    address = options.get("public_endpoint_url") or options.get("endpoint_url")
    if not address:
        return ["https://*.amazonaws.com"]
    parts = urlsplit(address)
    return [f"{parts.scheme}://{parts.netloc}"]


@require_safe
def customer_app(request: HttpRequest, path: str = "") -> HttpResponse:
    """The built page, under a same-origin policy; a readable 503 where the app was not built."""
    try:
        page = BUILT_PAGE.read_text(encoding="utf-8")
    except FileNotFoundError:
        return HttpResponse(
            "The customer app is not built: run `make frontend`.", status=503, content_type="text/plain"
        )
    response = HttpResponse(page)
    response["Content-Security-Policy"] = static_files_only(images_from=media_store_origins())
    response["Cache-Control"] = "no-cache"  # the page names the hashed files of the latest build
    return response
