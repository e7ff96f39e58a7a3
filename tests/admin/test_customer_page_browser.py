from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count

from customers.models import Customer
from customers.services.retail_import import online_retail_import
from graph.services.recovery import graph_rebuild
from recommendations.services import model_version_train
from tests.browser import admin_page, require_chromium
from tests.support import DEMO_SAMPLE, QUICK


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("graph")
def test_admin_customer_page_shows_a_real_customer(live_server: object, tmp_path: Path) -> None:
    require_chromium()

    # given the demo sample of the real dataset and a staff login
    online_retail_import(path=DEMO_SAMPLE, rejects_path=tmp_path / "rejects.csv")
    graph_rebuild()
    version = model_version_train(parameters=QUICK)
    call_command("evaluate_recommenders", "--split", "random", stdout=StringIO())
    get_user_model().objects.create_superuser("admin", password="a-long-test-password")
    customer = Customer.objects.annotate(lines=Count("purchases")).order_by("-lines").first()
    assert customer is not None
    top_interest = customer.interests.current().order_by("-confidence").select_related("interest").first()
    assert top_interest is not None
    last_purchase = customer.purchases.select_related("product").first()
    assert last_purchase is not None
    screenshot = settings.VAR_DIR / "screenshots" / "admin-customer.png"
    screenshot.parent.mkdir(parents=True, exist_ok=True)

    # when staff log in and open the customer
    with admin_page(live_server, "admin", "a-long-test-password", width=1400, height=1100) as page:
        page.goto(f"{live_server}/admin/customers/customer/{customer.pk}/change/")
        body = page.inner_text("#content")
        country = page.input_value("#id_country")
        graph_nodes = page.locator("svg[aria-label='Profile graph'] circle").count()
        page.screenshot(path=str(screenshot), full_page=True)
        page.goto(f"{live_server}/admin/recommendations/modelversion/{version.pk}/change/")
        version_page = page.inner_text("#content")
        page.screenshot(path=str(screenshot.with_name("admin-model-version.png")), full_page=True)
        # and search by external id from the list
        page.goto(f"{live_server}/admin/customers/customer/?q={customer.external_id}")
        found = page.inner_text("#result_list")

    # then the page shows who they are, what they bought and what they like
    assert customer.external_id in body
    assert country == customer.country
    assert last_purchase.product.name in body
    assert top_interest.interest.name in body
    assert "Inferred from purchases" in body
    assert "orders," in body
    assert "score" in body  # similar customers, from the graph
    reasons = (
        r"Because you bought|Time to stock up|Often bought together with|Popular with customers who love"
        r"|Similar to .+, which you bought"
    )
    assert re.search(reasons, body)  # each with a reason written from the data
    assert f"mode: blended, model v{version.pk}" in body
    assert "Interactions:" in version_page  # the data it was trained on, as labelled lines
    assert "blended (served)" in version_page  # the evaluation table kept with the version
    assert "Blend:" in version_page  # as the training chose it (tables), or that none was kept
    assert "Ready" in version_page
    assert graph_nodes > 10  # the profile picture: the customer, products, categories, interests
    assert customer.external_id in found
    assert screenshot.stat().st_size > 10_000
