"""The analytics page and a campaign's page in headless Chromium, on the small known history:
every chart draws, the tables under them hold the figures, the page's policy refuses nothing.
Screenshots under $VAR_DIR/screenshots."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from analytics.overview import analytics_overview
from marketing_platform.charts import Chart
from tests.analytics.overview_history import overview_history
from tests.browser import DRAWING, DRAWN, admin_page, require_chromium
from tests.support import PASSWORD


def table_figures(chart: Chart) -> list[list[str]]:
    return [[label, *(f"{value:,}" for value in values)] for label, values, _ in chart.rows]


def rows_of(page: Any, key: str) -> list[list[str]]:
    figure = page.locator(f"#chart-{key}")
    figure.locator("summary").click()
    rows = figure.locator(".chart-figures tbody tr")
    return [rows.nth(i).locator("th, td").all_inner_texts() for i in range(rows.count())]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_analytics_and_campaign_pages_draw_their_charts_and_tables(
    live_server: object, settings: Any
) -> None:
    require_chromium()
    # given the history, the figures the page should show, and staff
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    history = overview_history()
    overview = analytics_overview(history.date_range)
    orders = next(chart for chart in overview.activity if chart.key == "orders")
    get_user_model().objects.create_superuser("admin", password=PASSWORD)
    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    refused: list[str] = []

    # when staff open the analytics page, read a chart's figures, then open the campaign
    with admin_page(live_server, "admin", PASSWORD, width=1400, height=1000) as page:
        page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
        page.goto(f"{live_server}/admin/analytics/overview/{history.query}")
        page.wait_for_function(DRAWING)
        drawn = page.evaluate(DRAWN)
        page.screenshot(path=str(shots / "admin-analytics-small.png"), full_page=True)
        order_rows = rows_of(page, "orders")
        totals = page.locator("#analytics-totals tbody tr").all_inner_texts()
        page.goto(f"{live_server}/admin/campaigns/campaign/{history.campaign.pk}/change/")
        page.wait_for_function(DRAWING)
        campaign_drawn = page.evaluate(DRAWN)
        page.locator(".campaign-over-time").screenshot(path=str(shots / "admin-campaign-over-time-small.png"))

    # then every chart is drawn, and the tables hold the figures
    assert len(drawn) == 9
    assert all(chart["chart"] and chart["drawn"] > 1000 for chart in drawn + campaign_drawn)
    assert [chart["key"] for chart in campaign_drawn] == [
        f"chart-campaign-variant-{variant.pk}" for variant in history.campaign.variants.order_by("label")
    ]
    assert order_rows == table_figures(orders)
    assert "Orders\t3\t1\t+200.0%" in totals
    assert refused == []
