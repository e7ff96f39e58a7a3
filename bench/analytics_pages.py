"""Screenshots of the analytics page and a campaign's page on the full Online Retail import
(`make screenshots-analytics`): docs/screenshots/admin-analytics.png and
admin-campaign-performance.png.

On the bench database (``BENCH_DATABASE_URL``), it applies migrations, rebuilds the derived
analytics and attribution tables (nothing else is written but the staff user it logs in as),
serves the platform on a free port and opens both pages in headless Chromium.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.report import BENCH_DATABASE_URL, ROOT, free_port
from tests.browser import DRAWING, admin_page  # Playwright and Chromium, as the browser tests drive them

SHOTS = ROOT / "docs" / "screenshots"
USERNAME = "screenshots-staff"


def _env() -> dict[str, str]:
    return {
        **{name: value for name, value in os.environ.items() if name not in ("NEO4J_URL", "REDIS_URL")},
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", BENCH_DATABASE_URL),
        "VAR_DIR": str(ROOT / "var" / "bench"),
        "DJANGO_SETTINGS_MODULE": "marketing_platform.settings",
        "LOG_LEVEL": "WARNING",
    }


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


STAFF = """
from django.contrib.auth import get_user_model
user, _ = get_user_model().objects.get_or_create(username={name!r}, defaults={{"is_staff": True}})
user.is_staff, user.is_superuser = True, True
user.set_password({password!r})
user.save()
from campaigns.models import Campaign
from django.db.models import Count
busiest = Campaign.objects.annotate(n=Count("performance")).filter(n__gt=0).order_by("-n", "pk").first()
print(busiest.pk if busiest else "")
"""


def run() -> None:
    env = _env()
    _manage(env, "migrate", "--noinput", "-v0")
    print(_manage(env, "analytics_rebuild").strip().splitlines()[-1])
    print(_manage(env, "attribution_rebuild").strip().splitlines()[-1])
    password = secrets.token_urlsafe(16)
    said = _manage(env, "shell", "--no-imports", "-c", STAFF.format(name=USERNAME, password=password))
    campaign = said.strip().splitlines()[-1] if said.strip() else ""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/admin/login/")
        _screenshots(base, password, campaign)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)  # noqa: S310 - the local server just started
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start") from None
            time.sleep(0.5)


def _screenshots(base: str, password: str, campaign: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with admin_page(base, USERNAME, password, width=1400, height=1000) as page:
        _shoot(page, f"{base}/admin/analytics/overview/", SHOTS / "admin-analytics.png")
        if campaign:
            _shoot(
                page,
                f"{base}/admin/campaigns/campaign/{campaign}/change/",
                SHOTS / "admin-campaign-performance.png",
            )
        else:
            print("No campaign of the import has sent anything: no campaign page screenshot.")


def _shoot(page: Any, url: str, path: Path) -> None:
    page.goto(url, timeout=120_000)
    page.wait_for_function(DRAWING)
    page.screenshot(path=str(path), full_page=True)
    print(f"Saved {path.relative_to(ROOT)}")


if __name__ == "__main__":
    run()
