"""Headless Chromium (Debian's package) driven by Playwright, logged in to the admin."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def require_chromium() -> None:
    """Skip the test, saying why, where Chromium or Playwright is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (Debian package chromium)")
    pytest.importorskip("playwright.sync_api")


@contextmanager
def browser_page(*, width: int, height: int) -> Iterator[Any]:
    """A fresh page of headless Chromium, logged in nowhere."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


@contextmanager
def admin_page(
    live_server: object, username: str, password: str, *, width: int, height: int
) -> Iterator[Any]:
    """A page logged in as ``username``. Open it after the test's data is in place: the
    database may not be used while Playwright's event loop runs."""
    with browser_page(width=width, height=height) as page:
        page.goto(f"{live_server}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        follow(page, "input[type=submit]")
        yield page


def follow(page: Any, selector: str) -> None:
    """Click what leads to another page and wait until that page has loaded: reading it
    sooner may catch a document still arriving."""
    with page.expect_navigation():
        page.click(selector)
