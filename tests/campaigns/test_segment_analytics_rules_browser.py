"""The segment form's RFM and first-purchase rules as staff use them, in headless Chromium."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from campaigns.models import Segment
from tests.analytics.buyers import one_order_each
from tests.browser import admin_page, require_chromium
from tests.factories import catalog

PASSWORD = "a-long-test-password"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_picking_rfm_segments_and_a_first_purchase_month_counts_the_customers_live(
    live_server: object,
) -> None:
    require_chromium()

    # given eleven buyers of one order each: four hibernating (December), seven later ones
    product = catalog(["85123A"])["85123A"]
    one_order_each(product, [*range(4), *range(40, 47)])
    get_user_model().objects.create_superuser("admin", password=PASSWORD)
    screenshot = settings.VAR_DIR / "screenshots" / "admin-segment-rfm-cohort.png"
    screenshot.parent.mkdir(parents=True, exist_ok=True)

    # when staff pick two segments, then narrow to a first purchase from January
    with admin_page(live_server, "admin", PASSWORD, width=1400, height=1000) as page:
        page.goto(f"{live_server}/admin/campaigns/segment/add/")
        page.fill("#id_name", "Asleep since January")
        page.get_by_label("Hibernating", exact=True).check()
        page.get_by_label("Promising", exact=True).check()
        page.wait_for_function("document.getElementById('segment-count').textContent === '6'")
        page.fill("#id_first_purchase_from", "2012-01")
        page.wait_for_function("document.getElementById('segment-count').textContent === '2'")
        form = page.inner_text("#content")
        page.screenshot(path=str(screenshot), full_page=True)
        page.click("input[name=_save]")
        page.wait_for_selector(".messagelist")

    # then the count says so, and the segment keeps the month as its first day
    assert "2 of 11 reachable customers" in form
    assert "RFM segment is one of" in form
    assert screenshot.stat().st_size > 10_000
    segment = Segment.objects.get(name="Asleep since January")
    assert (segment.rfm_segments, segment.first_purchase_from) == (
        ["Promising", "Hibernating"],
        date(2012, 1, 1),
    )
