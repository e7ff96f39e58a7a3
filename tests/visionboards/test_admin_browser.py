"""Vision boards in the admin, driven in headless Chromium, with a real worker rendering."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count

from catalog.services import demo_photos_attach
from customers.models import Customer
from customers.services.retail_import import online_retail_import
from graph.services.recovery import graph_rebuild
from tests.browser import admin_page, follow, require_chromium
from tests.catalog.test_demo_photos import DEMO_PHOTOS
from tests.support import DEMO_SAMPLE, WorkerStarter
from visionboards.models import VisionBoard

PASSWORD = "a-long-test-password"


def reload_until(page: Any, selector: str, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if page.locator(selector).count():
            return True
        time.sleep(0.5)
        page.reload()
    return False


@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("graph")
def test_staff_render_a_board_from_the_customer_page_and_find_it_in_the_gallery(
    live_server: object, tmp_path: Path, celery_worker: WorkerStarter
) -> None:
    require_chromium()
    online_retail_import(path=DEMO_SAMPLE, rejects_path=tmp_path / "rejects.csv")
    demo_photos_attach(DEMO_PHOTOS)
    graph_rebuild()
    get_user_model().objects.create_superuser("admin", password=PASSWORD)
    customer = Customer.objects.annotate(lines=Count("purchases")).order_by("-lines").first()
    assert customer is not None
    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    customer_page = f"{live_server}/admin/customers/customer/{customer.pk}/change/"

    with (
        celery_worker(),
        admin_page(live_server, "admin", PASSWORD, width=1400, height=1100) as page,
    ):
        page.goto(customer_page)
        before = page.inner_text(".field-vision_board")
        follow(page, "button.render-board")
        message = page.inner_text(".messagelist")
        rendered = reload_until(page, ".field-vision_board img")
        thumbnail = page.locator(".field-vision_board img")
        if rendered:  # a lazy image, fetched through a redirect on an object store: give it time
            thumbnail.evaluate("image => image.decode().catch(() => null)")
        loaded = thumbnail.evaluate("image => image.complete && image.naturalWidth") if rendered else 0
        page.locator(".field-vision_board").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "admin-customer-vision-board.png"))
        page.goto(f"{live_server}/admin/visionboards/visionboard/gallery/")
        gallery = page.locator(".board-gallery img").count()
        page.screenshot(path=str(shots / "admin-vision-board-gallery.png"), full_page=True)
        follow(page, ".board-gallery a")
        details = page.inner_text("#content")
        page.screenshot(path=str(shots / "admin-vision-board.png"), full_page=True)
        page.goto(f"{live_server}/admin/visionboards/visionboard/")
        page.check("input.action-select")
        page.select_option("select[name=action]", "render_again")
        follow(page, "button[name=index]")
        queued = page.inner_text(".messagelist")

    assert "No board yet." in before
    assert "Vision board 1 is rendering" in message
    assert rendered, "the board never appeared on the customer's page"
    assert loaded == 1080  # the picture itself was served and decoded (1080 px wide)
    assert gallery == 1
    assert "product ·" in details  # the layout's sections, listed
    assert "1 board(s) queued" in queued
    assert VisionBoard.objects.filter(customer=customer).count() == 2
