"""Headless Chromium (Debian's package) driven by Playwright, logged in to the admin."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Charts (marketing_platform.charts) on a page: whether Chart.js drew them all.
DRAWING = """() => typeof Chart !== "undefined"
  && Array.from(document.querySelectorAll("canvas[data-chart-spec]")).every((c) => Chart.getChart(c))"""
# How many pixels of each chart's canvas are drawn (not transparent), and whether Chart.js owns it.
DRAWN = """() => Array.from(document.querySelectorAll("canvas[data-chart-spec]")).map((canvas) => {
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) drawn++;
  const chart = Boolean(Chart.getChart(canvas));
  return { key: canvas.closest("figure").id, drawn, chart, width: canvas.clientWidth };
})"""


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
