"""A customer's messages and their intents in the admin's profile graph, in headless Chromium."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from conversations.models import Intent, IntentBy, Message
from conversations.services.recording import MessageRow, messages_record
from graph.port import Graph
from graph.services.sync import graph_outbox_drain
from tests import factories
from tests.browser import admin_page, require_chromium

PASSWORD = "a-long-test-password"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_profile_graph_draws_the_latest_messages_and_names_their_intents(
    live_server: object, graph: Graph
) -> None:
    require_chromium()
    # given Ada's purchases and her messages, some classified
    shop = factories.shop()
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    messages_record([
        MessageRow(shop.customers["ada"], "api", f"m{day}", "Where is my order?", channel,
                   start + timedelta(days=day), None, "en")
        for day, channel in enumerate(["chat", "email", "web", "chat"])
    ])  # fmt: skip
    late = Intent.objects.create(name="Late delivery", slug="late-delivery")
    praise = Intent.objects.create(name="Praise", slug="praise")
    for message_id, intent in (("m0", late), ("m1", late), ("m3", praise)):
        message = Message.objects.get(message_id=message_id)
        message.intent, message.intent_confidence, message.intent_by = intent, 0.9, IntentBy.CLASSIFIER
        message.save()
    graph_outbox_drain(graph=graph)
    get_user_model().objects.create_superuser("admin", password=PASSWORD)
    screenshot = settings.VAR_DIR / "screenshots" / "admin-customer-messages-graph.png"
    screenshot.parent.mkdir(parents=True, exist_ok=True)

    # when staff open her page
    with admin_page(live_server, "admin", PASSWORD, width=1400, height=1100) as page:
        page.goto(f"{live_server}/admin/customers/customer/{shop.customers['ada']}/change/")
        drawing = page.locator("svg[aria-label='Profile graph']")
        titles = drawing.locator("circle title").all_text_contents()
        labels = drawing.locator("text").all_text_contents()
        drawing.screenshot(path=str(screenshot))

    # then every message is drawn, named by channel and day, and the intents are labelled
    assert [title for title in titles if title.startswith("Message:")] == [
        "Message: Chat, 2026-11-23", "Message: Web form, 2026-11-22",
        "Message: Email, 2026-11-21", "Message: Chat, 2026-11-20",
    ]  # fmt: skip
    assert {"Late delivery", "Praise"} <= set(labels)
    assert "Product: WHITE HANGING HEART T-LIGHT HOLDER" in titles
    assert screenshot.stat().st_size > 5_000
