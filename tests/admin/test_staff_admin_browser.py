"""The admin's home page and the segment form as staff see them, in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from campaigns.models import CampaignRun, Send, SendStatus
from campaigns.selectors import SegmentRules, segment_customers
from catalog.models import Category
from customers.models import Customer
from recommendations.services import model_version_train
from tests.browser import admin_page, require_chromium
from tests.factories import make_reachable, scheduled_campaign, store
from tests.support import QUICK

PASSWORD = "a-long-test-password"


def _screenshot(name: str) -> Path:
    path = settings.VAR_DIR / "screenshots" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("graph")
def test_the_dashboard_and_the_segment_form_in_a_browser(live_server: object, tmp_path: Path) -> None:
    require_chromium()

    # given the demo sample, its graph, a model, customers who may be emailed and a sent campaign
    store(tmp_path)
    version = model_version_train(parameters=QUICK)
    reachable = make_reachable(Customer.objects.exclude(country="").order_by("pk")[:40])
    campaign = scheduled_campaign("Winter picks")
    run = CampaignRun.objects.create(campaign=campaign, occurrence="once", recipients=len(reachable))
    now = timezone.now()
    for index, customer in enumerate(reachable):
        Send.objects.create(
            run=run, customer=customer, variant=campaign.variants.get(), status=SendStatus.SENT, sent_at=now,
            opened_at=now if index % 2 else None, clicked_at=now if index % 5 == 0 else None,
        )  # fmt: skip
    get_user_model().objects.create_superuser("admin", password=PASSWORD)
    # a segment of one of them: its country (not the home market when there is another) and a
    # category it bought in
    picked = next((c for c in reachable if c.country != "United Kingdom"), reachable[0])
    category = Category.objects.filter(products__purchases__customer=picked, parent__isnull=False).first()
    assert category is not None
    rules = SegmentRules(countries=[picked.country], category_ids=[category.pk])
    expected = segment_customers(rules).count()
    dashboard, segment_form = _screenshot("admin-dashboard.png"), _screenshot("admin-segment-form.png")

    # when staff log in (the dashboard is the home page) and open a new segment
    with admin_page(live_server, "admin", PASSWORD, width=1400, height=1000) as page:
        home = page.inner_text("#content")
        sections = page.locator("#content-main .module caption").all_inner_texts()
        page.screenshot(path=str(dashboard), full_page=True)
        page.goto(f"{live_server}/admin/campaigns/segment/add/")
        page.fill("#id_name", f"{category.name} in {picked.country}")
        page.locator("#id_countries_from").get_by_role("option", name=picked.country, exact=True).dblclick()
        page.get_by_label(category.name, exact=True).check()
        page.wait_for_function(f"document.getElementById('segment-count').textContent === '{expected:,}'")
        form = page.inner_text("#content")
        page.screenshot(path=str(segment_form), full_page=True)

    # then the dashboard reads the shop's figures and the form offers countries and the tree
    assert f"{Customer.objects.count():,}" in home
    assert f"Model v{version.pk} serves recommendations" in home
    assert "Winter picks" in home
    assert "Reachable (" in home  # the graph answers
    assert sections[-1].casefold() == "settings"
    assert sections[0].casefold() == "customers"
    assert "Home & living" in form
    assert f"{expected:,} of {len(reachable)} reachable customers" in form
    assert expected >= 1  # the customer the rules were taken from
    assert dashboard.stat().st_size > 10_000
    assert segment_form.stat().st_size > 10_000
