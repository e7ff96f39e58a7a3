"""How the customer's app meets trouble, in headless Chromium: over the rate limit it says how long
to wait and asks again after Retry-After; an expired access token is refreshed once, unseen; the
network gone and the API's error envelope are said in words; signing out revokes the session."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from customers.models import Customer, FeedbackKind
from tests.browser import browser_page, require_chromium
from tests.factories import Shop
from tests.support import PASSWORD

REFRESH = """async (token) => (await fetch("/api/v1/auth/token/refresh", {method: "POST",
  headers: {"Content-Type": "application/json"}, body: JSON.stringify({refresh: token})})).status"""


def envelope(status: int, code: str, message: str, **headers: str) -> dict[str, Any]:
    body = {"error_code": code, "message": message, "details": {}, "timestamp": "", "request_id": "r"}
    return {
        "status": status,
        "headers": headers,
        "content_type": "application/json",
        "body": json.dumps(body),
    }


def once(page: Any, pattern: str, answer: dict[str, Any]) -> None:
    """The next request matching ``pattern`` gets ``answer``; the ones after reach the server."""
    page.route(pattern, lambda route: route.fulfill(**answer), times=1)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("graph")
def test_the_app_meets_limits_expiry_outages_and_refusals_and_says_so(live_server: Any, shop: Shop) -> None:
    require_chromium()
    ada = Customer.objects.get(external_id="ada")
    ada.user = get_user_model().objects.create_user("ada", password=PASSWORD)
    ada.save(update_fields=["user"])
    asked: list[str] = []

    with browser_page(width=1280, height=900) as page:
        page.on("request", lambda request: asked.append(request.url))
        once(
            page,
            "**/recommendations*",
            envelope(429, "throttled", "Request was throttled.", **{"Retry-After": "3"}),
        )
        page.goto(f"{live_server}/app/")
        page.fill("#username", "ada")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        throttled = page.inner_text("[role=alert]")
        page.wait_for_selector("li.pick")  # asked again once the second had passed
        picks_after_wait = page.locator("li.pick").count()

        once(
            page, "**/feedback", envelope(401, "token_not_valid", "Given token not valid for any token type")
        )
        refreshes = sum("auth/token/refresh" in url for url in asked)
        sku = page.get_attribute("li.pick", "data-sku")
        page.click("li.pick button.more-like-this")
        page.wait_for_selector("text=coming up", state="attached")
        refreshed = sum("auth/token/refresh" in url for url in asked) - refreshes
        alerts_after_refresh = page.locator("[role=alert]").count()

        page.route("**/api/v1/customers/ada", lambda route: route.abort("internetdisconnected"))
        page.click("text=Preferences")
        offline = page.inner_text("[role=alert]")
        page.unroute("**/api/v1/customers/ada")

        page.click("text=Your interests")
        page.wait_for_selector("fieldset input[type=checkbox]")
        once(
            page,
            "**/interests/declared",
            envelope(400, "validation_error", "Unknown interest: seasonal/midsummer."),
        )
        page.click("text=Save my interests")
        refused = page.inner_text("[role=alert]")

        token = page.evaluate("sessionStorage.getItem('platform.refresh')")
        page.click("text=Sign out")
        page.wait_for_selector("#username")
        after_sign_out = page.evaluate(REFRESH, token)
        stored = page.evaluate("sessionStorage.getItem('platform.refresh')")

    assert throttled == "Too many requests: try again in 3 seconds."
    assert picks_after_wait >= 1
    assert refreshed == 1
    assert alerts_after_refresh == 0, "a refreshed session is not the customer's problem"
    assert ada.feedback.filter(product__sku=sku, kind=FeedbackKind.MORE_LIKE_THIS).exists()
    assert offline == "The shop cannot be reached. Check your connection and try again."
    assert refused == "Unknown interest: seasonal/midsummer."
    assert after_sign_out == 401
    assert stored is None
