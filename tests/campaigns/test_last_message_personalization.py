"""An email may use what the customer last wrote about (its intent, when, the channel, whether it
holds campaigns), never the words; read for a whole render batch at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from model_bakery import baker

from campaigns.rendering.email import TemplateSource
from campaigns.selectors import personalization_for, personalizations_for
from campaigns.services.emails import email_preview
from conversations.models import Intent, Message
from conversations.services.messages import messages_ingest
from customers.models import Customer
from tests.factories import Shop

SORRY = "{% if customer.last_message.intent == 'delivery' %}Sorry about the wait.{% endif %}"


def write(customer: Customer, message_id: str, text: str, *, days_ago: int, intent: Intent | None) -> None:
    sent_at = timezone.now() - timedelta(days=days_ago, hours=1)
    messages_ingest(
        customer_id=customer.pk,
        source="chat",
        messages=[{"id": message_id, "text": text, "sent_at": sent_at, "channel": "email"}],
    )
    customer.messages.filter(message_id=message_id).update(intent=intent)


@pytest.fixture
def intents(db: None) -> dict[str, Intent]:
    return {
        "delivery": baker.make(Intent, name="Delivery", slug="delivery"),
        "complaint": baker.make(Intent, name="Complaint", slug="complaint", holds_promotions=True),
    }


def test_the_latest_message_is_in_the_context_without_its_words(
    shop: Shop, intents: dict[str, Intent]
) -> None:
    ada, bob = Customer.objects.get(external_id="ada"), Customer.objects.get(external_id="bob")
    write(ada, "a1", "Your service is awful", days_ago=9, intent=intents["complaint"])
    write(ada, "a2", "Where is my parcel 4711?", days_ago=2, intent=intents["delivery"])
    write(bob, "b1", "Broken on arrival, I am furious", days_ago=3, intent=intents["complaint"])

    ada_message = personalization_for(ada).customer["last_message"]
    bob_message = personalization_for(bob).customer["last_message"]
    nobody = personalization_for(Customer.objects.create(external_id="cy")).customer["last_message"]

    assert ada_message == {
        "intent": "delivery", "intent_name": "Delivery", "channel": "email",
        "sent_at": (timezone.now() - timedelta(days=2, hours=1)).date().isoformat(), "days_ago": 2,
        "on_hold": False,
    }  # fmt: skip
    assert (bob_message["intent"], bob_message["on_hold"]) == ("complaint", True)
    assert nobody == {"intent": "", "intent_name": "", "channel": "", "sent_at": "", "days_ago": None,
                      "on_hold": False}  # fmt: skip
    assert "4711" not in str(personalization_for(ada).variables())


def test_a_complaint_older_than_the_hold_does_not_hold(
    shop: Shop, intents: dict[str, Intent], settings: Any
) -> None:
    bob = Customer.objects.get(external_id="bob")
    write(bob, "b1", "Broken on arrival", days_ago=settings.CAMPAIGN_COMPLAINT_HOLD_DAYS + 1,
          intent=intents["complaint"])  # fmt: skip

    assert personalization_for(bob).customer["last_message"]["on_hold"] is False


def test_a_template_reads_it_and_the_designer_previews_it_for_a_customer(
    shop: Shop, intents: dict[str, Intent], admin_client: Client
) -> None:
    ada, bob = Customer.objects.get(external_id="ada"), Customer.objects.get(external_id="bob")
    write(ada, "a1", "Where is my parcel?", days_ago=1, intent=intents["delivery"])
    source = TemplateSource(subject="Hello", preheader="", html_body=f"<p>{SORRY}</p>")

    assert "Sorry about the wait." in email_preview(source=source, customer=ada).rendered.text
    assert "Sorry about the wait." not in email_preview(source=source, customer=bob).rendered.text
    preview = admin_client.post(
        reverse("admin:campaigns_emailtemplate_preview"),
        {"customer": "ada", "subject": "Hello", "html_body": f"<p>{SORRY}</p>"},
    ).json()
    assert preview["ok"] is True
    assert "Sorry about the wait." in preview["html"]


def test_a_render_batch_reads_the_latest_messages_in_queries_however_many_recipients(
    shop: Shop, intents: dict[str, Intent]
) -> None:
    customers = [Customer.objects.create(external_id=f"c{number}") for number in range(8)]
    for number, customer in enumerate(customers):
        write(customer, f"m{number}", "Where is it?", days_ago=number, intent=intents["delivery"])

    def message_queries(recipients: list[Customer]) -> int:
        with CaptureQueriesContext(connection) as captured:
            data = personalizations_for([(customer, None) for customer in recipients])
        assert [d.customer["last_message"]["intent"] for d in data] == ["delivery"] * len(recipients)
        return sum(Message._meta.db_table in query["sql"] for query in captured)

    assert message_queries(customers[:2]) == message_queries(customers) == 1
