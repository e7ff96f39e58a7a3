"""The customer's app (``/app/``) as a browser meets it: the built JavaScript and CSS (gzip), and on
the local server with the demo (embedded default, ``make run``'s set-up in a directory of its own)
the time until the sign-in form can be used and until a signed-in customer's picks can be pressed,
p50 over several cold loads (headless Chromium, Playwright's navigation timing)."""

from __future__ import annotations

import gzip
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bench.report import ROOT, publish

BUILT = ROOT / "static" / "app" / "assets"
VAR_DIR = ROOT / "var" / "bench-app"
LOADS = 9
PORT = 8765
DEMO = ROOT / "demo" / "online_retail_sample.csv"
# From the navigation's start: the form's button usable; the first pick's button usable.
SIGN_IN_READY = "button[type=submit]:not([disabled])"
PICKS_READY = "li.pick button.not-for-me"


def _env() -> dict[str, str]:
    unset = ("DATABASE_URL", "REDIS_URL", "NEO4J_URL", "MEDIA_S3_BUCKET", "MILVUS_URI")
    return {
        **{name: value for name, value in os.environ.items() if name not in unset},
        "VAR_DIR": str(VAR_DIR),
        "LOG_LEVEL": "WARNING",
        # every load signs in or refreshes from this one address: more than the guard against
        # password guessing lets through in a minute
        "RATE_LIMIT_TOKEN": "1000/m",
        "RATE_LIMIT_ACCOUNT": "1000/m",
    }


def _manage(*arguments: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=_env(), check=True, capture_output=True
    )


def built_sizes() -> dict[str, int]:
    """Bytes of the built files, raw and gzipped, by kind."""
    if not BUILT.exists():
        raise SystemExit("the app is not built: run `make frontend`")
    sizes = {"js_bytes": 0, "js_gzip_bytes": 0, "css_bytes": 0, "css_gzip_bytes": 0}
    for path in BUILT.iterdir():
        kind = path.suffix.lstrip(".")
        if kind in ("js", "css"):
            content = path.read_bytes()
            sizes[f"{kind}_bytes"] += len(content)
            sizes[f"{kind}_gzip_bytes"] += len(gzip.compress(content, compresslevel=9))
    return sizes


@contextmanager
def demo_server() -> Iterator[tuple[str, str, str]]:
    """The platform on the demo, as ``make run`` sets it up; its address and the demo customer's login."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _manage("migrate", "--noinput")
    _manage("import_online_retail", str(DEMO))
    _manage("attach_demo_images")
    _manage("load_demo", str(DEMO))
    _manage("train_recommender", "--if-missing")
    username, password = (VAR_DIR / "customer-login.txt").read_text().split()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runplatform", "--port", str(PORT)],
        cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    address = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{address}/api/v1/health", timeout=2)  # noqa: S310 (our own server)
                break
            except OSError:
                time.sleep(0.5)
        yield address, username, password
    finally:
        server.terminate()
        server.wait(timeout=60)


def _ready_after(page: Any, selector: str) -> float:
    """Milliseconds from the navigation's start until ``selector`` is there and usable."""
    page.wait_for_selector(selector, timeout=60_000)
    return round(float(page.evaluate("performance.now()")), 1)


def load_times(address: str, username: str, password: str) -> dict[str, list[float]]:
    """Cold loads (a new browser context each: nothing cached) of the sign-in page and of the
    signed-in home page."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM

    times: dict[str, list[float]] = {"sign_in": [], "dom_content_loaded": [], "picks": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for _ in range(LOADS):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(f"{address}/app/")
            times["sign_in"].append(_ready_after(page, SIGN_IN_READY))
            loaded = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
            times["dom_content_loaded"].append(round(float(loaded), 1))
            page.fill("#username", username)
            page.fill("#password", password)
            page.click("button[type=submit]")
            page.wait_for_selector(PICKS_READY, timeout=60_000)
            page.reload()  # a returning customer: signed in (the tab's refresh token), files cached
            times["picks"].append(_ready_after(page, PICKS_READY))
            context.close()
        browser.close()
    return times


def run() -> None:
    sizes = built_sizes()
    with demo_server() as (address, username, password):
        times = load_times(address, username, password)
    p50 = {name: round(statistics.median(values)) for name, values in times.items()}
    publish(
        "customer_app",
        {**sizes, "loads": LOADS, "p50_ms": p50, "ms": times},
        title=f"The customer's app: built size, and time to interactive on the local server (p50 of {LOADS})",
        columns=["figure", "value"],
        rows=[
            (
                "JavaScript, gzip",
                f"{sizes['js_gzip_bytes'] / 1024:.1f} KiB ({sizes['js_bytes'] / 1024:.0f} KiB raw)",
            ),
            (
                "CSS, gzip",
                f"{sizes['css_gzip_bytes'] / 1024:.1f} KiB ({sizes['css_bytes'] / 1024:.0f} KiB raw)",
            ),
            ("DOM content loaded", f"{p50['dom_content_loaded']} ms"),
            ("sign-in form usable", f"{p50['sign_in']} ms"),
            ("returning, signed in: first pick's buttons usable", f"{p50['picks']} ms"),
        ],
    )


if __name__ == "__main__":
    run()
