"""Staff read the intents and the classifier's state, and correct a message's intent, in headless
Chromium."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from conversations.embedding import embedder
from conversations.models import Intent, IntentBy, Message
from conversations.services.intent_classification import intent_classifier_train, messages_intents_classify
from conversations.services.intents import intents_load_starter
from conversations.services.recording import MessageRow, messages_record
from customers.models import Customer
from tests.browser import admin_page, follow, require_chromium

PASSWORD = "a-long-test-password"
TEXT = "The lamp I got is a disgrace, the shade was cracked and nobody answers my emails."


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_see_the_classifier_and_correct_a_messages_intent(live_server: object) -> None:
    require_chromium()
    # given: the starter intents, trained, and a message the classifier filed
    ada = Customer.objects.create(external_id="ada-1", name="Ada Lovelace")
    messages_record(
        [MessageRow(ada.pk, "api", "m1", TEXT, "email", datetime(2026, 11, 30, tzinfo=UTC), None, "en")]
    )
    intents_load_starter()
    trained = intent_classifier_train()
    message = Message.objects.get()
    messages_intents_classify(
        message_ids=[message.pk], vectors=embedder().passages([TEXT]), model=trained.embedding_model
    )
    message.refresh_from_db()
    assert message.intent_by == IntentBy.CLASSIFIER
    target = "Contact us" if message.intent and message.intent.name == "Complaint" else "Complaint"
    get_user_model().objects.create_superuser("admin", password=PASSWORD)
    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)

    # when: staff open the intents, then the message, and file it under another intent
    with admin_page(live_server, "admin", PASSWORD, width=1400, height=1000) as page:
        page.goto(f"{live_server}/admin/conversations/intent/")
        state = page.inner_text(".intent-classifier")
        intents = page.inner_text("#result_list")
        page.screenshot(path=str(shots / "admin-intents.png"), full_page=True)
        page.goto(f"{live_server}/admin/conversations/message/{message.pk}/change/")
        page.select_option("select[name=intent]", label=target)
        page.screenshot(path=str(shots / "admin-message-intent.png"), full_page=True)
        follow(page, "input[name=_save]")
        row = page.inner_text("#result_list tbody tr:first-child")
        page.screenshot(path=str(shots / "admin-messages-corrected.png"), full_page=True)

    # then
    assert "trained at" in state
    assert "135 examples of 12 intents" in state
    assert "Order status" in intents
    assert target in row
    assert "Staff" in row
    message.refresh_from_db()
    assert (message.intent, message.intent_by) == (Intent.objects.get(name=target), IntentBy.STAFF)
