"""The template designer driven in headless Chromium: live preview at both widths, a readable
error with its line, a test email to a staff address."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail

from campaigns.models import EmailTemplate
from customers.models import Customer
from customers.services.retail_import import online_retail_import
from graph.services.recovery import graph_rebuild
from recommendations.services import model_version_train
from tests.browser import admin_page, require_chromium
from tests.support import DEMO_SAMPLE, QUICK
from tests.waiting import wait_for


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("graph")
def test_staff_design_a_template_beside_its_live_preview(live_server: object, tmp_path: Path) -> None:
    require_chromium()
    # given the demo data, a model, and a staff member with an address
    online_retail_import(path=DEMO_SAMPLE, rejects_path=tmp_path / "rejects.csv")
    graph_rebuild()
    model_version_train(parameters=QUICK)
    get_user_model().objects.create_superuser("designer", "designer@example.org", "a-long-test-password")
    newcomer = Customer.objects.create(external_id="walk-in-1")
    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)

    with admin_page(live_server, "designer", "a-long-test-password", width=1500, height=1150) as page:
        # when they start a template (it opens with the built-in one) and wait for the preview
        page.goto(f"{live_server}/admin/campaigns/emailtemplate/add/")
        page.fill("#id_name", "Weekly picks")
        page.wait_for_function("document.getElementById('preview-status').textContent.startsWith('For ')")
        subject = page.inner_text("#preview-subject")
        frame = page.frame_locator("#preview-html")
        products = frame.locator("a.product-name").all_inner_texts()
        unsubscribe = frame.locator("a", has_text="Unsubscribe").count()
        page.screenshot(path=str(shots / "admin-email-designer.png"), full_page=True)
        page.click("[data-width=mobile]")
        page.wait_for_function("document.getElementById('preview-html').getAnimations().length === 0")
        mobile_width = page.eval_on_selector("#preview-html", "el => el.getBoundingClientRect().width")
        sheet = frame.locator("table.sheet")
        # reflowed, not clipped (the sandboxed frame may lay itself out a moment after its parent)
        wait_for(lambda: sheet.bounding_box()["width"] <= mobile_width, 10)
        email_width = sheet.bounding_box()["width"]
        page.locator(".designer-preview").screenshot(path=str(shots / "admin-email-designer-mobile.png"))
        page.click("[data-part=text]")
        text_part = page.inner_text("#preview-text")
        page.click("[data-part=html]")

        # and preview for a customer without history, typed in
        page.fill("#preview-customer", newcomer.external_id)
        page.press("#preview-customer", "Enter")
        page.wait_for_function("document.getElementById('preview-status').textContent.includes('walk-in-1')")
        newcomer_status = page.inner_text("#preview-status")

        # and make a mistake on line 3
        body = page.input_value("#id_html_body")
        page.fill("#id_html_body", "{{ greeting() }}\n<p>Hello</p>\n{{ customer.frist_name }}\n" + body)
        page.wait_for_selector("#preview-problem:not([hidden])")
        problem = page.inner_text("#preview-problem")
        page.locator(".designer").screenshot(path=str(shots / "admin-email-designer-error.png"))
        page.fill("#id_html_body", body)
        page.wait_for_selector("#preview-problem", state="hidden")

        # and send a test with Enter (it sends the test; it does not save the template), then save
        page.press("#test-to", "Enter")
        page.wait_for_function(
            "document.getElementById('test-result').textContent.startsWith('Test email sent')"
        )
        page.click("input[name=_save]")
        page.wait_for_selector(".messagelist .success")

    # then
    assert "we picked these for you" in subject.lower()
    assert len(products) == 4
    assert unsubscribe == 1
    assert 370 <= mobile_width <= 380
    assert email_width <= mobile_width
    assert "Unsubscribe with one click:" in text_part
    assert "recommendations: new_customer" in newcomer_status
    assert "'customer object' has no attribute 'frist_name'" in problem or "frist_name" in problem
    assert "line 3" in problem
    assert [m.to for m in mail.outbox] == [["designer@example.org"]]
    assert EmailTemplate.objects.filter(name="Weekly picks").exists()
