"""The first hour of a new installation, as a marketer lives it: ``make run`` on a port of its
own (the embedded default, its own var directory), then in headless Chromium: log in, open a
customer, preview a starter template for that customer, make a segment, send the starter A/B
campaign, follow every link of the emails it delivered to the file backend, and read the
results. Saves what it saw under ``$VAR_DIR/screenshots`` (``make screenshots``)."""

from __future__ import annotations

import email
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings

from tests.browser import CHROMIUM, follow, require_chromium
from tests.support import ROOT, free_port
from tests.waiting import wait_for

pytestmark = pytest.mark.browser

MAKE = shutil.which("make") or "/usr/bin/make"

CAMPAIGN = "Weekly picks or vision board? (A/B)"
TEMPLATE = "Weekly picks"
SERVERS = (
    "DATABASE_URL",
    "REDIS_URL",
    "NEO4J_URL",
    "MEDIA_S3_BUCKET",
    "MILVUS_URI",
    "SITE_URL",
    "SHOP_URL",
    "HOST",
    "PORT",
)


class Installation:
    """``make run`` in its own process group, with its own var directory."""

    def __init__(self, var_dir: Path, port: int) -> None:
        self.var_dir, self.port = var_dir, port
        self.base = f"http://127.0.0.1:{port}"
        var_dir.mkdir(parents=True, exist_ok=True)
        self.log = var_dir / "make-run.log"
        env = {name: value for name, value in os.environ.items() if name not in SERVERS}
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [MAKE, "run", f"PORT={port}"], cwd=ROOT, env={**env, "VAR_DIR": str(var_dir)},
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def healthy(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"make run stopped:\n{self.log.read_text()[-3000:]}")
        try:
            return requests.get(f"{self.base}/api/v1/health", timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    def login(self) -> tuple[str, str]:
        username, password = (self.var_dir / "admin-login.txt").read_text().split()
        return username, password

    def emails(self) -> list[Message]:
        """What the file backend wrote: one file per connection, messages separated by a rule."""
        found = []
        for path in sorted((self.var_dir / "mail").glob("*.log")):
            for chunk in re.split(rb"\n-{79}\n", path.read_bytes()):
                if chunk.strip():
                    found.append(email.message_from_bytes(chunk.strip()))
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture
def installation(tmp_path: Path) -> Iterator[Installation]:
    require_chromium()
    running = Installation(tmp_path / "var", free_port())
    try:
        wait_for(running.healthy, seconds=420)
        yield running
    finally:
        running.stop()


def html_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError(f"no HTML part in {message['Subject']!r}")


def links_of(html: str) -> set[str]:
    return {url.replace("&amp;", "&") for url in re.findall(r'(?:href|src)="(https?://[^"]+)"', html)}


def test_the_first_hour_of_a_new_installation(installation: Installation) -> None:
    from playwright.sync_api import sync_playwright

    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    base = installation.base
    username, password = installation.login()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        # log in: the home page is the dashboard
        page.goto(f"{base}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        follow(page, "input[type=submit]")
        dashboard = page.inner_text("#content")
        page.screenshot(path=str(shots / "first-hour-dashboard.png"), full_page=True)

        # open a customer
        page.goto(f"{base}/admin/customers/customer/")
        page.locator("#result_list tbody tr th a").first.click()
        address = page.input_value("#id_email")
        external_id, name = page.input_value("#id_external_id"), page.input_value("#id_name")
        page.screenshot(path=str(shots / "first-hour-customer.png"), full_page=True)

        # preview a starter template for that customer
        page.goto(f"{base}/admin/campaigns/emailtemplate/")
        page.get_by_role("link", name=TEMPLATE, exact=True).click()
        page.wait_for_function("document.getElementById('preview-status')?.textContent.startsWith('For ')")
        page.fill("#preview-customer", external_id)
        page.press("#preview-customer", "Enter")
        page.wait_for_function(f"document.getElementById('preview-status').textContent.includes({name!r})")
        preview_status = page.inner_text("#preview-status")
        preview = page.frame_locator("#preview-html").locator("body").inner_text()
        page.screenshot(path=str(shots / "first-hour-designer.png"), full_page=True)

        # make a segment: the customers of the home market
        page.goto(f"{base}/admin/campaigns/segment/add/")
        page.fill("#id_name", "United Kingdom")
        page.locator("#id_countries_from").get_by_role("option", name="United Kingdom", exact=True).dblclick()
        page.wait_for_selector(".segment-count[aria-busy=false]")  # the count of the rule just chosen
        segment_count = int(page.inner_text("#segment-count").replace(",", ""))
        follow(page, "input[name=_save]")
        saved = page.inner_text(".messagelist")

        # send the starter A/B campaign
        page.goto(f"{base}/admin/campaigns/campaign/")
        with page.expect_navigation():
            page.get_by_role("link", name=CAMPAIGN, exact=True).click()
        campaign_url = page.url
        page.screenshot(path=str(shots / "first-hour-campaign.png"), full_page=True)
        follow(page, "button[data-move=send_now]")
        sending = page.inner_text("ul.messagelist")
        recipients = wait_for(lambda: _sent_when_done(page, campaign_url), seconds=300)
        wait_for(lambda: len(installation.emails()) >= recipients)
        delivered = installation.emails()

        # every link and picture of every email answers (a tracked link redirects to its page)
        links = set().union(*(links_of(html_part(message)) for message in delivered))
        answers = {}
        for link in sorted(links):
            assert urlsplit(link).netloc == f"127.0.0.1:{installation.port}", link
            response = requests.get(link, timeout=30)
            answers[link] = response.status_code

        # read the results
        page.goto(campaign_url)
        results = _results(page)
        page.screenshot(path=str(shots / "first-hour-results.png"), full_page=True)
        browser.close()

    assert "Reachable by email" in dashboard
    assert address.endswith(("@example.com", "@example.org"))
    assert preview_status.startswith("For ")
    assert preview.strip()
    assert segment_count > 0
    assert "was added successfully" in saved
    assert sending
    assert len(delivered) == recipients > 0
    assert {message["To"].split("@")[-1].rstrip(">") for message in delivered} <= {
        "example.com",
        "example.org",
    }
    assert any("/email/click/" in link for link in links), sorted(links)[:10]
    assert {link: status for link, status in answers.items() if status != 200} == {}
    assert sorted(results) == ["A", "B"]
    assert sum(row["Sent"] for row in results.values()) == recipients
    assert all(row["Clicked"] > 0 and row["Opened"] >= row["Clicked"] for row in results.values()), results


def _results(page: Any) -> dict[str, dict[str, int]]:
    """The campaign page's results table: per variant, each count column's figure."""
    columns = page.locator("table.campaign-results thead th").all_text_contents()
    found = {}
    for row in page.locator("table.campaign-results tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        label = cells[0].split()[0]
        found[label] = {
            column: int(match.group().replace(",", ""))
            for column, cell in zip(columns, cells, strict=True)
            if (match := re.match(r"\d[\d,]*", cell.strip()))
        }
    return found


def _sent_when_done(page: Any, campaign_url: str) -> int:
    """The emails the campaign sent, once it has finished sending (0 until then)."""
    page.goto(campaign_url)
    if page.inner_text(".field-state .readonly").strip() != "Sent":
        return 0
    return sum(row["Sent"] for row in _results(page).values())
