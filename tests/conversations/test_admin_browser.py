"""The messages list and a message as staff see them, in headless Chromium."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from conversations.models import Intent, Message
from conversations.services.recording import MessageRow, messages_record
from customers.models import Customer
from tests.browser import admin_page, follow, require_chromium

PASSWORD = "a-long-test-password"
TEXTS = [
    ("chat", "Hi! My order W1001 has not arrived yet, it was due on Friday. Can you tell me where it is?"),
    ("email", "The red scarf I bought last week is lovely, thank you. Do you have it in green too?"),
    ("web", "I would like to return the lamp, it does not fit on my desk. How do I send it back?"),
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_read_messages_filter_them_and_cannot_edit_one(live_server: object) -> None:
    require_chromium()
    # given a customer's messages, one of them with an intent
    ada = Customer.objects.create(external_id="ada-1", name="Ada Lovelace", email="ada@example.com")
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    messages_record([
        MessageRow(ada.pk, "api", f"m{i}", text, channel, start + timedelta(days=i), None, "en")
        for i, (channel, text) in enumerate(TEXTS)
    ])  # fmt: skip
    intent = Intent.objects.create(name="Order status", slug="order-status")
    Message.objects.filter(message_id="m0").update(
        intent=intent, intent_confidence=0.93, intent_by="classifier"
    )
    get_user_model().objects.create_superuser("admin", password=PASSWORD)
    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)

    # when staff open the list, filter it by channel and open a message
    with admin_page(live_server, "admin", PASSWORD, width=1400, height=900) as page:
        page.goto(f"{live_server}/admin/conversations/message/")
        listing = page.inner_text("#result_list")
        newest = page.inner_text("#result_list tbody tr:first-child")
        page.screenshot(path=str(shots / "admin-messages.png"), full_page=True)
        follow(page, "#changelist-filter a[href*='channel__exact=email']")
        filtered = page.inner_text("#result_list")
        follow(page, "#result_list tbody a")
        detail = page.inner_text("#content")
        editable = page.locator("textarea, input[type=text]").count()
        page.screenshot(path=str(shots / "admin-message.png"), full_page=True)

    # then the newest comes first, with its intent, and a message reads but does not edit
    assert "return the lamp" in newest
    assert "Order status" in listing
    assert "scarf" in filtered
    assert "lamp" not in filtered
    assert "Do you have it in green too?" in detail
    assert editable == 0
    assert Path(shots / "admin-message.png").exists()
