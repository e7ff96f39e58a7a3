"""ESP tracking webhooks (here Postmark's, through anymail's real view) update the send, become
interaction events, and suppress hard bounces and complaints; only the sending ESP has a route."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from anymail import urls as anymail_urls
from django.core import checks
from django.db.models import Value
from django.db.models.functions import Concat
from django.test import Client
from django.utils import timezone

from campaigns.models import (
    Send,
    SendStatus,
    Suppression,
)
from campaigns.services.runs import campaign_run_start
from campaigns.services.sending import sends_render
from campaigns.webhooks import TRACKING_VIEWS
from customers.models import Customer, InteractionEvent
from tests.factories import Store, make_reachable, scheduled_campaign

SECRET = "hook-user:a-long-hook-password"


@pytest.fixture
def sent(trained: Store, settings: Any, django_capture_on_commit_callbacks: Any) -> list[Send]:
    make_reachable(Customer.objects.order_by("pk")[:3])
    campaign = scheduled_campaign("c")
    with django_capture_on_commit_callbacks(execute=False):
        run = campaign_run_start(campaign_id=campaign.pk, occurrence="x")
    assert run is not None
    sends_render(list(run.sends.values_list("pk", flat=True)))
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}
    run.sends.update(
        status=SendStatus.SENT, sent_at=timezone.now(), esp_message_id=Concat(Value("pm-"), "pk")
    )
    return list(run.sends.select_related("customer").order_by("pk"))


def hook(event: dict[str, Any], secret: str = SECRET) -> int:
    auth = base64.b64encode(secret.encode()).decode()
    response = Client().post("/webhooks/anymail/postmark/tracking/", event, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Basic {auth}")  # fmt: skip
    return response.status_code


def test_delivery_open_and_click_are_recorded_once(sent: list[Send]) -> None:
    send = sent[0]
    product_link = re.search(r'href="(http[^"]+/email/click/[^"]+)"', send.html)
    assert product_link
    meta = {"send": str(send.pk)}
    events = [
        {"RecordType": "Delivery", "MessageID": "x", "Recipient": send.customer.email,
         "DeliveredAt": "2026-11-24T10:00:00Z", "Metadata": meta},
        {"RecordType": "Open", "MessageID": "x", "Recipient": send.customer.email,
         "ReceivedAt": "2026-11-24T10:05:00Z", "Metadata": meta},
        {"RecordType": "Click", "MessageID": "x", "Recipient": send.customer.email,
         "ReceivedAt": "2026-11-24T10:06:00Z", "OriginalLink": product_link.group(1), "Metadata": meta},
    ]  # fmt: skip

    statuses = [hook(event) for event in events + events]  # every event twice: ESPs retry

    assert statuses == [200] * 6
    send.refresh_from_db()
    assert (send.delivered_at.minute, send.opened_at.minute, send.clicked_at.minute) == (0, 5, 6)  # type: ignore[union-attr]
    clicks = InteractionEvent.objects.filter(customer=send.customer, source="email", kind="click")
    assert clicks.count() == 1


def test_a_hard_bounce_and_a_complaint_suppress_the_address(sent: list[Send]) -> None:
    bounced, complained = sent[0], sent[1]

    hook({"RecordType": "Bounce", "Type": "HardBounce", "ID": 1, "MessageID": "x",
          "Email": bounced.customer.email, "BouncedAt": "2026-11-24T10:00:00Z",
          "Metadata": {"send": str(bounced.pk)}})  # fmt: skip
    hook({"RecordType": "SpamComplaint", "Type": "SpamComplaint", "ID": 2, "MessageID": f"pm-{complained.pk}",
          "Email": complained.customer.email, "BouncedAt": "2026-11-24T10:00:00Z"})  # fmt: skip

    assert set(Suppression.objects.values_list("email", "reason")) == {
        (bounced.customer.email, "bounced"), (complained.customer.email, "complained"),
    }  # fmt: skip
    bounced.refresh_from_db()
    assert bounced.bounced_at is not None
    complainer = Customer.objects.get(pk=complained.customer_id)
    assert complainer.unsubscribed_at is not None  # found by the ESP's message id


@pytest.mark.parametrize("body", ["[]", "not json", '{"RecordType": "Delivery"}', '"text"', "{}"])
def test_an_authenticated_body_that_is_no_event_is_refused(db: None, settings: Any, body: str) -> None:
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    auth = base64.b64encode(SECRET.encode()).decode()

    response = Client().post("/webhooks/anymail/postmark/tracking/", body, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Basic {auth}")  # fmt: skip

    assert response.status_code in (200, 400)  # anymail ignores an event it has no use for


def test_a_webhook_without_the_secret_is_refused(sent: list[Send]) -> None:
    assert hook({"RecordType": "Delivery", "Metadata": {"send": str(sent[0].pk)}}, "someone:else") == 400
    sent[0].refresh_from_db()
    assert sent[0].delivered_at is None


# Every webhook route anymail offers, tracking and inbound, for every ESP.
ANYMAIL_PATHS = sorted(
    "/webhooks/anymail/" + str(pattern.pattern).strip("^$").replace("(_mime)?", "")
    for pattern in anymail_urls.urlpatterns
)
# What each ESP's webhook view needs before it can check a request.
ESP_KEYS: dict[str, dict[str, str]] = {
    "brevo": {"BREVO_API_KEY": "key"},
    "sendinblue": {"SENDINBLUE_API_KEY": "key"},
    "mailersend": {"MAILERSEND_SIGNING_SECRET": "secret"},
    "mailgun": {"MAILGUN_WEBHOOK_SIGNING_KEY": "key"},
    "mailtrap": {"MAILTRAP_API_TOKEN": "token"},
    "mandrill": {"MANDRILL_WEBHOOK_KEY": "key"},
    "postal": {"POSTAL_WEBHOOK_KEY": "key"},
    "resend": {"RESEND_API_KEY": "key"},
    "unisender_go": {"UNISENDER_GO_API_KEY": "key"},
}


def sending_with(settings: Any, esp: str, keys: dict[str, str]) -> None:
    settings.EMAIL_BACKEND = f"anymail.backends.{esp}.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, **keys}


@pytest.mark.parametrize("path", ANYMAIL_PATHS)
def test_no_webhook_answers_while_no_esp_sends_our_mail(db: None, path: str) -> None:
    response = Client().post(path, {}, content_type="application/json")

    assert response.status_code == 404


@pytest.mark.parametrize("esp", sorted(TRACKING_VIEWS))
def test_the_sending_esp_refuses_an_unauthenticated_event_and_others_have_no_route(
    db: None, settings: Any, esp: str
) -> None:
    sending_with(settings, esp, ESP_KEYS.get(esp, {}))
    other = "postmark" if esp != "postmark" else "mailgun"

    unauthenticated = Client().post(f"/webhooks/anymail/{esp}/tracking/", {}, content_type="application/json")
    elsewhere = Client().post(f"/webhooks/anymail/{other}/tracking/", {}, content_type="application/json")
    inbound = Client().post(f"/webhooks/anymail/{other}/inbound/", {}, content_type="application/json")

    assert unauthenticated.status_code in (400, 401, 403)  # Amazon SNS is asked for basic auth: 401
    assert (elsewhere.status_code, inbound.status_code) == (404, 404)
    assert checks.run_checks(tags=[checks.Tags.security]) == []


@pytest.mark.parametrize("esp", ["postmark", "amazon_ses", "sparkpost"])
def test_a_sending_esp_whose_webhook_anyone_could_call_fails_the_checks(
    db: None, settings: Any, esp: str
) -> None:
    sending_with(settings, esp, {})
    settings.ANYMAIL = {}  # no ANYMAIL_WEBHOOK_SECRET

    assert [message.id for message in checks.run_checks(tags=[checks.Tags.security])] == ["campaigns.E002"]


def test_a_sending_esp_without_its_keys_fails_the_checks_and_its_webhook_is_unavailable(
    db: None, settings: Any
) -> None:
    sending_with(settings, "mailgun", {})

    response = Client().post("/webhooks/anymail/mailgun/tracking/", {}, content_type="application/json")

    assert response.status_code == 503
    assert [message.id for message in checks.run_checks(tags=[checks.Tags.security])] == ["campaigns.E001"]
