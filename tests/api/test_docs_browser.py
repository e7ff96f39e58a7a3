"""The API docs in headless Chromium with every other host unreachable, as on a machine offline."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.browser import browser_page, require_chromium

LOCAL_SCHEMES = ("data", "blob", "about")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_docs_render_with_no_other_host_reachable(live_server: Any) -> None:
    require_chromium()
    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    here = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []

    def outside(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme not in LOCAL_SCHEMES and parts.netloc != here

    def unreachable(route: Any) -> None:
        """A request that would have left the browser (one the page's policy blocks never does)."""
        elsewhere.append(route.request.url)
        route.abort("internetdisconnected")

    with browser_page(width=1400, height=1000) as page:
        # given a browser that reaches only the platform
        page.route(outside, unreachable)

        # when it opens Swagger UI
        page.goto(f"{live_server.url}/api/docs/")
        page.wait_for_selector(".opblock-tag-section .opblock")
        sections = page.locator(".opblock-tag").evaluate_all("tags => tags.map(t => t.dataset.tag)")
        operations = page.locator(".opblock").count()
        page.screenshot(path=str(shots / "api-docs.png"))

        # and Redoc
        page.goto(f"{live_server.url}/api/redoc/")
        page.get_by_text("Ingest one customer's purchases").first.wait_for()
        redoc_text = page.text_content("body")
        page.screenshot(path=str(shots / "api-redoc.png"))

    # then both render every resource's operations, and asked nothing of another host
    assert sections[:3] == ["auth", "customers", "ingest"]
    assert "vision boards" in sections
    assert operations > 30
    assert "Ingest one customer's purchases" in redoc_text
    assert elsewhere == []
