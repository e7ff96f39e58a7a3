"""Rendering and sending a batch of campaign emails, each exactly once.

A ``Send`` moves pending → rendered → sending → sent (or skipped / failed). The
claim (``sending``, with its time) is committed before the message leaves; the
``sent`` mark right after the server accepted it. A retried or resumed batch
skips what is sent and what another live worker holds, and takes over claims
older than ``CAMPAIGN_SEND_CLAIM_SECONDS`` (their worker died). The one window
no mail protocol closes (the server accepted the message, the worker died before
marking it) is resent with the same Message-ID, which receivers use to drop the
copy. Consent, unsubscription, suppression and the frequency cap are checked
in the claim, with the customer's row locked.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from anymail.exceptions import AnymailError
from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.messages import build_message
from campaigns.models import CampaignState, Send, SendStatus, Suppression
from campaigns.rendering.email import RenderedEmail, render_email
from campaigns.rendering.sandbox import TemplateProblem
from campaigns.selectors import personalization_for
from campaigns.services.emails import render_limits, template_source
from campaigns.tokens import Recipient, unsubscribe_url
from customers.models import Customer

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
TRANSIENT = (smtplib.SMTPException, OSError, AnymailError)


def sends_render(send_ids: Sequence[int]) -> list[int]:
    """Render the pending sends of the batch; returns those now ready to send. A template
    that fails for a customer fails that send, with the reason, and not the others."""
    ready = []
    sends = (
        Send.objects.filter(pk__in=send_ids, status=SendStatus.PENDING)
        .select_related("customer", "variant__template", "run__campaign")
        .order_by("pk")
    )
    for send in sends:
        if send.run.campaign.state != CampaignState.SENDING:
            continue
        try:
            data = personalization_for(send.customer, send_id=send.pk)
            rendered = render_email(template_source(send.variant.template), data, render_limits())
        except TemplateProblem as exc:
            Send.objects.filter(pk=send.pk, status=SendStatus.PENDING).update(
                status=SendStatus.FAILED, error=str(exc)
            )
            continue
        updated = Send.objects.filter(pk=send.pk, status=SendStatus.PENDING).update(
            status=SendStatus.RENDERED, subject=rendered.subject, html=rendered.html, text=rendered.text
        )  # fmt: skip
        if updated:
            ready.append(send.pk)
    return ready


def sends_deliver(send_ids: Sequence[int]) -> dict[str, int]:
    """Send the batch over one connection, throttled to the campaign's rate. Transient
    delivery errors put the send back (rendered) and are raised for the task to retry."""
    counts = {"sent": 0, "skipped": 0, "busy": 0}
    connection = get_connection()
    try:
        for send_id in sorted(send_ids):
            claimed = _claim(send_id)
            if claimed is None:
                counts["busy"] += 1
                continue
            if claimed.status == SendStatus.SKIPPED:
                counts["skipped"] += 1
                continue
            _wait_for_slot(claimed.run.campaign_id, claimed.run.campaign.emails_per_second)
            message = build_message(
                RenderedEmail(claimed.subject, "", claimed.html, claimed.text),
                to=claimed.customer.email or "",
                unsubscribe_url=unsubscribe_url(Recipient(claimed.customer_id, claimed.pk)),
                message_id=claimed.message_id,
                metadata={"send": str(claimed.pk), "campaign": str(claimed.run.campaign_id)},
                tags=[f"campaign-{claimed.run.campaign_id}", f"variant-{claimed.variant.label}"],
            )
            message.connection = connection
            try:
                message.send()
            except TRANSIENT as exc:
                _release(claimed, exc)
                raise
            status = getattr(message, "anymail_status", None)
            esp_id = getattr(status, "message_id", None) or claimed.message_id
            Send.objects.filter(pk=claimed.pk, status=SendStatus.SENDING).update(
                status=SendStatus.SENT, sent_at=timezone.now(), esp_message_id=str(esp_id)[:255]
            )
            counts["sent"] += 1
    finally:
        connection.close()
    return counts


def _claim(send_id: int) -> Send | None:
    """Lock the send and its customer; mark it ``sending`` or ``skipped``. None: not ours to
    send (sent, skipped, failed, not rendered yet, paused, or held by a live worker)."""
    now = timezone.now()
    with transaction.atomic():
        send = (
            Send.objects.select_for_update(of=("self",))
            .select_related("run__campaign", "variant")
            .filter(pk=send_id)
            .first()
        )
        if send is None or send.run.campaign.state != CampaignState.SENDING:
            return None
        lease = timedelta(seconds=settings.CAMPAIGN_SEND_CLAIM_SECONDS)
        if send.status == SendStatus.SENDING and send.claimed_at and send.claimed_at > now - lease:
            return None
        if send.status not in (SendStatus.RENDERED, SendStatus.SENDING):
            return None
        customer = Customer.objects.select_for_update().get(pk=send.customer_id)
        reason = _ineligible(customer, send, now)
        if reason:
            send.status, send.skip_reason, send.html, send.text = SendStatus.SKIPPED, reason, "", ""
            send.save(update_fields=["status", "skip_reason", "html", "text"])
        else:
            send.status, send.claimed_at, send.attempts = SendStatus.SENDING, now, send.attempts + 1
            send.save(update_fields=["status", "claimed_at", "attempts"])
        send.customer = customer
        return send


def _ineligible(customer: Customer, send: Send, now: datetime) -> str:
    """Why this customer may not get a campaign email now, or ''."""
    if not customer.email:
        return "no_email"
    if not customer.marketing_consent:
        return "no_consent"
    if customer.unsubscribed_at is not None:
        return "unsubscribed"
    if Suppression.objects.filter(email=customer.email.lower()).exists():
        return "suppressed"
    window = now - timedelta(days=settings.CAMPAIGN_FREQUENCY_WINDOW_DAYS)
    recent = Send.objects.filter(customer=customer).exclude(pk=send.pk)
    recent = recent.filter(
        Q(status=SendStatus.SENT, sent_at__gte=window) | Q(status=SendStatus.SENDING, claimed_at__gte=window)
    )
    if recent.count() >= settings.CAMPAIGN_FREQUENCY_CAP:
        return "frequency_cap"
    return ""


def _release(send: Send, exc: BaseException) -> None:
    """The server refused or the connection broke: the message did not leave. Back to
    ``rendered`` for a retry, or ``failed`` after ``MAX_ATTEMPTS``."""
    logger.warning("Send %s not delivered (attempt %s): %s", send.pk, send.attempts, exc)
    failed = send.attempts >= MAX_ATTEMPTS
    Send.objects.filter(pk=send.pk, status=SendStatus.SENDING).update(
        status=SendStatus.FAILED if failed else SendStatus.RENDERED,
        claimed_at=None,
        **({"error": f"{type(exc).__name__}: {exc}"[:2000]} if failed else {}),
    )


def _wait_for_slot(campaign_id: int, per_second: int) -> None:
    """At most ``per_second`` emails of a campaign leave per second, across workers (the
    counter is in the shared cache)."""
    while True:
        second = int(time.time())
        key = f"campaigns:throttle:{campaign_id}:{second}"
        cache.add(key, 0, 5)
        try:
            used = cache.incr(key)
        except ValueError:  # expired in between
            continue
        if used <= per_second:
            return
        time.sleep(max(0.0, second + 1 - time.time()))
