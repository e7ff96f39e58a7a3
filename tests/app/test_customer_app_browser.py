"""The customer's app (``/app/``) in headless Chromium, on the demo sample with a trained model and
a real worker drawing boards: sign in with the customer's own login, "not for me" with the
keyboard (gone at once and after a retrain), declared interests change the picks and the board,
the export downloads, another customer is never reached, and axe finds nothing serious."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from catalog.services import demo_photos_attach
from customers.models import Customer
from customers.services.customers import demo_identities_give
from recommendations.services import model_version_train
from tests.browser import browser_page, require_chromium
from tests.catalog.test_demo_photos import DEMO_PHOTOS
from tests.factories import Store
from tests.support import PASSWORD, QUICK, WorkerStarter

AXE = Path(settings.BASE_DIR) / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
T = TypeVar("T")
# axe-core's findings that matter: serious or critical, on the whole page
AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.filter((v) => ["serious", "critical"].includes(v.impact))
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}"""
BOARD = ".board .tile"
PICKS = "li.pick"


def off_the_loop(work: Callable[[], T]) -> T:
    """Database work while Playwright's event loop runs (Django refuses it on that thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def serious_violations(page: Any) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text())  # through the debugger, so the page's policy still holds
    return page.evaluate(AXE_RUN)


def shown_skus(page: Any) -> list[str]:
    page.wait_for_selector(PICKS)
    return page.eval_on_selector_all(PICKS, "cards => cards.map((card) => card.dataset.sku)")


def board_version(page: Any) -> int:
    """The version of the board drawn, once the app is no longer waiting for a newer one."""
    page.wait_for_selector(f".board-section[aria-busy=false] {BOARD}", timeout=120_000)
    return int(page.get_attribute(".board", "data-version"))


def tab_to(page: Any, selector: str, presses: int = 40) -> None:
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reached with the keyboard")


@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_customer_uses_the_app_end_to_end(
    live_server: Any, trained: Store, celery_worker: WorkerStarter
) -> None:
    require_chromium()
    assert AXE.exists(), "axe-core is not installed: run `make frontend`"
    # given the demo's busiest customer with a login of its own, and another customer
    demo_photos_attach(DEMO_PHOTOS)
    customer = trained.customer
    demo_identities_give(external_ids=[customer.external_id])
    customer.user = get_user_model().objects.create_user("sami", password=PASSWORD)
    customer.save(update_fields=["user"])
    other = Customer.objects.exclude(pk=customer.pk).order_by("pk").first()
    assert other is not None
    purchases = customer.purchases.count()
    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    asked: list[str] = []

    with celery_worker(), browser_page(width=1280, height=900) as page:
        page.on("request", lambda request: asked.append(request.url))
        page.goto(f"{live_server}/app/")
        page.fill("#username", "sami")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        before = shown_skus(page)
        first_board = board_version(page)
        tiles_alt = page.eval_on_selector_all(".tile figure", "tiles => tiles.map((t) => t.ariaLabel)")
        violations = {"home": serious_violations(page)}
        page.screenshot(path=str(shots / "app-home-desktop.png"), full_page=True)

        # when "not for me" is given with the keyboard alone
        tab_to(page, "button.not-for-me")
        refused = page.evaluate("document.activeElement.closest('li').dataset.sku")
        page.keyboard.press("Enter")
        page.wait_for_selector(f"{PICKS}[data-sku='{refused}']", state="detached")
        focus_after = page.evaluate("document.activeElement.className")
        after_feedback = shown_skus(page)
        off_the_loop(lambda: model_version_train(parameters=QUICK))
        page.reload()
        after_retrain = shown_skus(page)

        # when interests are declared
        page.click("text=Your interests")
        page.wait_for_selector("fieldset input[type=checkbox]")
        violations["interests"] = serious_violations(page)
        for _ in range(3):  # the first three interests not declared yet
            page.locator("fieldset input[type=checkbox]:not(:checked)").first.check()
        page.click("text=Save my interests")
        page.wait_for_selector(".chip-declared")
        page.screenshot(path=str(shots / "app-interests-desktop.png"), full_page=True)
        page.click("text=Your picks")
        page.wait_for_function(
            "(before) => { const cards = [...document.querySelectorAll('li.pick')].map((c) => c.dataset.sku);"
            " return cards.length && cards.join() !== before.join(); }",
            arg=after_retrain,
            timeout=30_000,
        )
        after_interests = shown_skus(page)
        page.wait_for_function(
            "(seen) => Number(document.querySelector('.board')?.dataset.version) > seen",
            arg=first_board,
            timeout=120_000,
        )
        new_board = board_version(page)
        page.screenshot(path=str(shots / "app-home-desktop.png"), full_page=True)

        # when the data is downloaded
        page.click("text=Preferences")
        page.wait_for_selector("text=Download my data")
        violations["preferences"] = serious_violations(page)
        page.screenshot(path=str(shots / "app-preferences-desktop.png"), full_page=True)
        with page.expect_download() as download:
            page.click("text=Download my data")
        exported = json.loads(Path(download.value.path()).read_text())
        page.click("text=Unsubscribe from all marketing emails")
        page.wait_for_selector("#unsubscribed")
        consent_after = off_the_loop(lambda: Customer.objects.get(pk=customer.pk).marketing_consent)

        page.set_viewport_size(PHONE)
        page.screenshot(path=str(shots / "app-preferences-phone.png"), full_page=True)
        page.click("text=Your picks")
        board_version(page)
        violations["home at phone width"] = serious_violations(page)
        page.screenshot(path=str(shots / "app-home-phone.png"), full_page=True)

        app_calls = [url for url in asked if "/api/v1/customers/" in url]
        # a forged request for another customer, with the app's own session
        forged = page.evaluate(
            """async (other) => {
              const refresh = sessionStorage.getItem("platform.refresh");
              const tokens = await (await fetch("/api/v1/auth/token/refresh", {method: "POST",
                headers: {"Content-Type": "application/json"}, body: JSON.stringify({refresh})})).json();
              const headers = {Authorization: `Bearer ${tokens.access}`};
              const answers = [];
              for (const path of ["", "/recommendations", "/vision-board", "/export", "/feedback"]) {
                answers.push((await fetch(`/api/v1/customers/${other}${path}`, {headers})).status);
              }
              return answers;
            }""",
            other.external_id,
        )

    # then
    assert all(alt for alt in tiles_alt), "every tile of the board has its alt text"
    assert refused in before
    assert refused not in after_feedback
    assert refused not in after_retrain
    assert focus_after == "not-for-me", "the keyboard's focus moves on to the next pick"
    assert after_interests != after_retrain
    assert new_board > first_board
    assert exported["customer"]["external_id"] == customer.external_id
    assert len(exported["purchases"]) == purchases
    assert exported["customer"]["marketing_consent"] is True
    assert consent_after is False
    assert forged == [404] * 5
    assert app_calls
    assert all(f"/api/v1/customers/{customer.external_id}" in url for url in app_calls)
    assert violations == {view: [] for view in violations}
