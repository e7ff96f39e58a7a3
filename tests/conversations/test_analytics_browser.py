"""The conversations analytics page in headless Chromium, on the demo's data: the sample's
customers with their Bitext messages (``load_demo``), classified by the starter intents, some of
them made replies to two campaigns (simulated: the demo has none). The charts draw, resize with
the window, and their tables hold the figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from campaigns.models import Campaign
from conversations.analytics import messages_default_range
from conversations.analytics_charts import conversation_charts
from conversations.models import Message
from conversations.services.intent_classification import intent_classifier_train, messages_reclassify
from customers.services.retail_import import online_retail_import
from marketing_platform.charts import Chart
from tests.browser import DRAWING, DRAWN, admin_page, require_chromium
from tests.support import DEMO_SAMPLE, PASSWORD

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor" / "chart.js" / "chart.umd.min.js"
SCREENSHOT = "admin-conversations-analytics.png"
SCREENSHOT_DARK = "admin-conversations-analytics-dark.png"
TEXT_COLOUR = (
    "(colour) => Chart.getChart(document.querySelector('canvas')).options.scales.x.ticks.color === colour"
)
DARK_TEXT = "#eeeeee"  # Django admin's --body-fg in the dark theme


def demo_conversations(tmp_path: Path) -> None:
    """The demo as ``make run`` loads it, its messages classified, a third of them replies."""
    online_retail_import(path=DEMO_SAMPLE, rejects_path=tmp_path / "rejects.csv")
    call_command("load_demo", verbosity=0)
    digest = intent_classifier_train().digest
    after: int | None = 0
    while after is not None:
        after = messages_reclassify(digest=digest, after_id=after)
    starter = Campaign.objects.get()
    gifts = Campaign.objects.create(name="Christmas gifts", segment=starter.segment)
    ids = list(Message.objects.order_by("pk").values_list("pk", flat=True))
    Message.objects.filter(pk__in=ids[::3]).update(campaign=starter)
    Message.objects.filter(pk__in=ids[1::6]).update(campaign=gifts)


def table_figures(chart: Chart) -> list[list[str]]:
    return [[label, *(f"{value:,}" for value in values), f"{total:,}"] for label, values, total in chart.rows]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_charts_draw_the_demos_conversations_and_their_tables_hold_the_figures(
    live_server: object, tmp_path: Path
) -> None:
    require_chromium()
    assert VENDOR.exists(), "Chart.js is not in static/vendor: run `make frontend`"
    # given the demo's conversations, and the figures the page should show
    demo_conversations(tmp_path)
    charts = conversation_charts(messages_default_range())
    assert all(not chart.empty for chart in charts)
    get_user_model().objects.create_superuser("admin", password=PASSWORD)
    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    refused: list[str] = []

    # when staff open the page, read each chart's figures, turn to the dark theme, narrow the window
    with admin_page(live_server, "admin", PASSWORD, width=1400, height=1000) as page:
        page.on(
            "console",
            lambda message: refused.append(message.text) if "Content Security" in message.text else None,
        )
        page.goto(f"{live_server}/admin/conversations/analytics/")
        page.wait_for_function(DRAWING)
        wide = page.evaluate(DRAWN)
        page.screenshot(path=str(shots / SCREENSHOT), full_page=True)
        figures: dict[str, Any] = {}
        for chart in charts:
            figure = page.locator(f"#chart-{chart.key}")
            figure.locator("summary").click()
            rows = figure.locator(".chart-figures tbody tr")
            figures[chart.key] = [
                rows.nth(i).locator("th, td").all_inner_texts() for i in range(rows.count())
            ]
        page.emulate_media(color_scheme="dark")
        page.wait_for_function(TEXT_COLOUR, arg=DARK_TEXT)
        page.locator("#chart-intents-over-time").screenshot(path=str(shots / SCREENSHOT_DARK))
        page.set_viewport_size({"width": 760, "height": 1000})
        page.wait_for_function(
            f"() => document.querySelector('canvas[data-chart-spec]').clientWidth < {wide[0]['width']}"
        )
        narrow = page.evaluate(DRAWN)

    # then every chart is drawn by Chart.js, in the theme's colours, at the window's width; its
    # table holds the figures, and the page's policy refused nothing
    assert [drawn["key"] for drawn in wide] == [f"chart-{chart.key}" for chart in charts]
    assert all(drawn["chart"] and drawn["drawn"] > 1000 for drawn in wide + narrow)
    assert all(small["width"] < large["width"] for small, large in zip(narrow, wide, strict=True))
    assert figures == {chart.key: table_figures(chart) for chart in charts}
    assert refused == []
