"""GET /customers/{id}/export: everything held about the customer in one attached JSON document,
for its own login and staff only, and nothing of anyone else."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from analytics.attribution_models import Conversion, Impression, Touch
from campaigns.models import CampaignRun, Send
from catalog.models import Product
from conversations.models import Message
from customers.models import Customer, FeedbackKind, InteractionEvent, InteractionKind
from customers.selectors import interest_ids_by_key
from customers.services.activity import EventRow, events_record
from customers.services.feedback import product_feedback_give
from customers.services.interests import customer_declared_interests_set
from tests.factories import World, scheduled_campaign
from visionboards.models import BoardStatus, VisionBoard

AT = datetime(2011, 12, 2, 9, 0, tzinfo=UTC)
SECTIONS = [
    "purchases", "events", "interests", "feedback", "emails", "messages", "recommendations_shown",
    "attributed_purchases", "vision_boards",
]  # fmt: skip


def _give_everything(customer: Customer, tag: str, campaign: Any) -> None:
    """A purchase (the world's), an event, declared interests changed once (history), feedback, a
    campaign email, a message, a recommendation shown and clicked, the purchase credited to the
    click, and a vision board, each marked with ``tag``."""
    product = Product.objects.get(sku="85123A")
    view = EventRow(
        source="test", external_id=f"ev-{tag}", customer_id=customer.pk, product_id=product.pk,
        kind=InteractionKind.VIEW, occurred_at=AT, metadata={},
    )  # fmt: skip
    events_record([view])
    keys = sorted(interest_ids_by_key().values())
    customer_declared_interests_set(customer_id=customer.pk, interest_ids=keys[:1])
    customer_declared_interests_set(customer_id=customer.pk, interest_ids=keys[1:2])
    product_feedback_give(customer_id=customer.pk, product_id=product.pk, kind=FeedbackKind.MORE_LIKE_THIS)
    run, _ = CampaignRun.objects.get_or_create(campaign=campaign, occurrence="once")
    Send.objects.create(
        run=run, customer=customer, variant=campaign.variants.get(), subject=f"Hello {tag}",
        html=f"<p>the html of {tag}</p>", sent_at=AT, opened_at=AT, clicked_at=AT,
    )  # fmt: skip
    Message.objects.create(
        customer=customer, source="api", message_id=f"m-{tag}", text=f"words of {tag}", sent_at=AT
    )
    bought = customer.purchases.get()
    Impression.objects.create(customer=customer, product=bought.product, channel="api", strategy="model",
                              position=1, shown_at=AT)  # fmt: skip
    click = EventRow(
        source="test", external_id=f"click-{tag}", customer_id=customer.pk, product_id=bought.product_id,
        kind=InteractionKind.CLICK, occurred_at=AT, metadata={},
    )  # fmt: skip
    events_record([click])
    touch = Touch.objects.create(
        event=InteractionEvent.objects.get(external_id=f"click-{tag}"), customer=customer,
        product=bought.product, channel="api", strategy="model", clicked_at=AT, day=AT.date(),
    )  # fmt: skip
    Conversion.objects.create(
        sale=bought, touch=touch, customer=customer, product=bought.product, channel="api",
        strategy="model", order=f"o-{tag}", purchased_at=bought.purchased_at,
        day=bought.purchased_at.date(), revenue=bought.amount,
    )  # fmt: skip
    VisionBoard.objects.create(
        customer=customer, version=1, status=BoardStatus.READY, generated_at=AT,
        layout={"social": {"sections": [{"type": "product", "skus": ["85123A"], "alt": f"board of {tag}"}]}},
    )  # fmt: skip


@pytest.fixture
def everything(world: World) -> World:
    campaign = scheduled_campaign("Winter")
    for customer, tag in ((world.ada, "ada"), (world.bob, "bob")):
        _give_everything(customer, tag, campaign)
    return world


def _export(client: Any, customer: Customer) -> Any:
    return client.get(f"/api/v1/customers/{customer.external_id}/export")


def test_the_export_holds_each_kind_of_data_of_the_customer_and_nothing_of_another(everything: World) -> None:
    # when
    response = _export(everything.clients["customer"], everything.ada)

    # then
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="customer-ada-1.json"'
    text = b"".join(response.streaming_content).decode()
    document = json.loads(text)
    assert list(document) == ["format", "exported_at", "customer", *SECTIONS]
    assert document["customer"]["external_id"] == "ada-1"
    assert document["customer"]["login"] == "ada"
    assert {"marketing_consent", "unsubscribed_at", "email"} <= set(document["customer"])
    assert all(document[section] for section in SECTIONS), [s for s in SECTIONS if not document[s]]
    assert document["purchases"][0]["sku"] == "22086"
    assert document["events"][0]["sku"] == "85123A"
    assert [row["valid_to"] is None for row in document["interests"] if row["source"] == "declared"] == [
        False,
        True,
    ]
    assert document["feedback"][0] | {"created_at": None, "updated_at": None} == {
        "sku": "85123A", "name": "WHITE HANGING HEART T-LIGHT HOLDER", "kind": "more_like_this",
        "created_at": None, "updated_at": None,
    }  # fmt: skip
    email = document["emails"][0]
    assert (email["campaign"], email["subject"]) == ("Winter", "Hello ada")
    assert None not in (email["sent_at"], email["opened_at"], email["clicked_at"])
    assert "html" not in email
    assert document["messages"][0]["text"] == "words of ada"
    assert document["recommendations_shown"][0] | {"shown_at": None} == {
        "sku": "22086", "product": document["purchases"][0]["product"], "channel": "api", "strategy": "model",
        "position": 1, "shown_at": None,
    }  # fmt: skip
    assert document["attributed_purchases"][0]["revenue"] == document["purchases"][0]["amount"]
    assert document["vision_boards"][0]["layout"]["social"]["sections"][0]["skus"] == ["85123A"]
    assert "bob" not in text
    assert "the html of" not in text


def test_staff_may_export_a_customer_and_services_may_not(everything: World) -> None:
    assert _export(everything.clients["staff"], everything.bob).status_code == 200
    assert _export(everything.clients["service"], everything.ada).status_code == 403


def test_another_customers_export_is_not_found(everything: World) -> None:
    response = _export(everything.clients["customer"], everything.bob)

    assert response.status_code == 404
    assert response.json()["error_code"] == "not_found"


def test_the_schema_documents_the_document_with_each_section() -> None:
    schema = json.loads(Client().get("/api/schema/?format=json").content)

    document = schema["components"]["schemas"]["CustomerExportDocument"]["properties"]
    operation = schema["paths"]["/api/v1/customers/{external_id}/export"]["get"]
    assert list(document) == ["format", "exported_at", "customer", *SECTIONS]
    assert "CustomerExportDocument" in json.dumps(operation["responses"]["200"])
