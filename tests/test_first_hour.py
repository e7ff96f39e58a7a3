"""The first hour of a new installation, as a marketer lives it: ``make run`` on a port of its
own (the embedded default, its own var directory), then in headless Chromium: log in, open a
customer, preview a starter template for that customer, make a segment, send the starter A/B
campaign, follow every link of the emails it delivered to the file backend, and read the
results. Saves what it saw under ``$VAR_DIR/screenshots`` (``make screenshots``)."""

from __future__ import annotations

import email
import os
import re
import signal
import subprocess
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings

from tests.browser import CHROMIUM, require_chromium
from tests.support import ROOT, free_port
from tests.waiting import wait_for

pytestmark = pytest.mark.browser

CAMPAIGN = "Weekly picks or vision board? (A/B)"
TEMPLATE = "Weekly picks"
SERVERS = ("DATABASE_URL", "REDIS_URL", "NEO4J_URL", "MEDIA_S3_BUCKET", "SITE_URL", "SHOP_URL", "HOST", "PORT")


class Installation:
    """``make run`` in its own process group, with its own var directory."""

    def __init__(self, var_dir: Path, port: int) -> None:
        self.var_dir, self.port = var_dir, port
        self.base = f"http://127.0.0.1:{port}"
        self.log = var_dir / "make-run.log"
        env = {name: value for name, value in os.environ.items() if name not in SERVERS}
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                ["make", "run", f"PORT={port}"], cwd=ROOT, env={**env, "VAR_DIR": str(var_dir)},
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
            for chunk in re.split(r"\n-{79}\n", path.read_text()):
                if chunk.strip():
                    found.append(email.message_from_string(chunk.strip()))
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
        page.click("input[type=submit]")
        dashboard = page.inner_text("#content")
        page.screenshot(path=str(shots / "first-hour-dashboard.png"), full_page=True)

        # open a customer
        page.goto(f"{base}/admin/customers/customer/")
        page.locator("#result_list tbody tr th a").first.click()
        customer_page = page.inner_text("#content")
        external_id = page.input_value("#id_external_id") if page.locator("#id_external_id").count() else ""
        page.screenshot(path=str(shots / "first-hour-customer.png"), full_page=True)

        # preview a starter template for that customer
        page.goto(f"{base}/admin/campaigns/emailtemplate/")
        page.get_by_role("link", name=TEMPLATE, exact=True).click()
        if external_id:
            page.fill("#preview-customer", external_id)
            page.wait_for_function(
                f"document.getElementById('preview-status').textContent.includes({external_id!r})"
            )
        page.wait_for_function("document.getElementById('preview-status').textContent.startsWith('For ')")
        preview_status = page.inner_text("#preview-status")
        preview = page.frame_locator("#preview-html").locator("body").inner_text()
        page.screenshot(path=str(shots / "first-hour-designer.png"), full_page=True)

        # make a segment: the customers of the home market
        page.goto(f"{base}/admin/campaigns/segment/add/")
        page.fill("#id_name", "United Kingdom")
        page.locator("#id_countries_from").get_by_role("option", name="United Kingdom", exact=True).dblclick()
        page.wait_for_function("!['', '0'].includes(document.getElementById('segment-count').textContent)")
        segment_count = int(page.inner_text("#segment-count").replace(",", ""))
        page.click("input[name=_save]")
        saved = page.inner_text(".messagelist")

        # send the starter A/B campaign
        page.goto(f"{base}/admin/campaigns/campaign/")
        page.get_by_role("link", name=CAMPAIGN, exact=True).click()
        campaign_url = page.url
        page.screenshot(path=str(shots / "first-hour-campaign.png"), full_page=True)
        page.click("button[data-move=send_now]")
        sending = page.inner_text("ul.messagelist")
        recipients = wait_for(lambda: _sent_count(page, campaign_url), seconds=300)
        delivered = wait_for(lambda: len(installation.emails()) >= recipients and installation.emails())

        # every link and picture of every email answers (a tracked link redirects to its page)
        links = set().union(*(links_of(html_part(message)) for message in delivered))
        answers = {}
        for link in sorted(links):
            assert urlsplit(link).netloc == f"127.0.0.1:{installation.port}", link
            response = requests.get(link, timeout=30)
            answers[link] = response.status_code

        # read the results
        page.goto(campaign_url)
        results = page.inner_text(".campaign-results")
        page.screenshot(path=str(shots / "first-hour-results.png"), full_page=True)
        browser.close()

    assert "Reachable by email" in dashboard
    assert "@example." in customer_page
    assert preview_status.startswith("For ") and preview.strip()
    assert segment_count > 0
    assert "was added successfully" in saved
    assert sending
    assert len(delivered) == recipients > 0
    assert {message["To"].split("@")[-1].rstrip(">") for message in delivered} <= {"example.com", "example.org"}
    assert any("/t/c/" in link or "click" in link for link in links), sorted(links)[:10]
    assert {link: status for link, status in answers.items() if status != 200} == {}
    assert re.search(r"Clicked\s*\d", results) or "click" in results.casefold()


def _sent_count(page: object, campaign_url: str) -> int:
    """The campaign's sent count once it has finished sending (0 until then)."""
    page.goto(campaign_url)  # type: ignore[attr-defined]
    state = page.inner_text("div.field-state, .field-state")  # type: ignore[attr-defined]
    if "Sent" not in state:
        return 0
    return int(re.search(r"(\d[\d,]*)\s+sent", page.inner_text(".campaign-results")).group(1).replace(",", ""))  # type: ignore[attr-defined, union-attr]
