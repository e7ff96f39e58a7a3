"""Rendering and sending a batch of campaign emails, each exactly once.

A ``Send`` moves pending → rendered → sending → sent (or skipped / failed). The
claim (``sending``, with its time) is committed before the message leaves; the
``sent`` mark right after the server accepted it. A retried or resumed batch
skips what is sent and what another live worker holds, and takes over claims
older than ``CAMPAIGN_SEND_CLAIM_SECONDS`` (their worker died; a live worker renews
the claims of a slow, throttled batch every third of that). The one window
no mail protocol closes (the server accepted the message, the worker died before
marking it) is resent with the same Message-ID, which receivers use to drop the
copy. Consent, unsubscription, suppression, a recent complaint and the frequency cap are
checked in the claim, with the customer's row locked.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from html import unescape

from anymail.exceptions import AnymailError
from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from analytics.services.changes import aggregate_changes_record
from campaigns.messages import build_message
from campaigns.models import COMPLAINT_HOLD, CampaignState, Send, SendStatus, Suppression
from campaigns.rendering.email import Personalization, RenderedEmail, render_email
from campaigns.rendering.sandbox import TemplateProblem
from campaigns.selectors import email_recommendations, personalizations_for, template_shows_board
from campaigns.services.emails import render_limits, template_source
from campaigns.tokens import Recipient, SignedLinks
from conversations.selectors import customers_held_by_complaint
from customers.models import Customer
from recommendations.serving import Recommendations
from recommendations.signals import Shown, recommendations_shown
from visionboards.services import vision_boards_prepare

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
TRANSIENT = (smtplib.SMTPException, OSError, AnymailError)


def sends_render(send_ids: Sequence[int]) -> list[int]:
    """Render the pending sends of the batch; returns those now ready to send. A template
    that fails for a customer fails that send, with the reason, and not the others. The
    vision boards a template shows are drawn first, for the recipients without a fresh one."""
    sends = [
        send
        for send in Send.objects.filter(pk__in=send_ids, status=SendStatus.PENDING)
        .select_related("customer", "variant__template", "run__campaign")
        .order_by("pk")
        if send.run.campaign.state == CampaignState.SENDING
    ]
    vision_boards_prepare([send.customer_id for send in sends if template_shows_board(send.variant.template)])
    recommended = email_recommendations([send.customer_id for send in sends])
    data = personalizations_for([(send.customer, send.pk) for send in sends], recommended)
    limits = render_limits()
    for send, personalization in zip(sends, data, strict=True):
        try:
            rendered = render_email(template_source(send.variant.template), personalization, limits)
        except TemplateProblem as exc:
            send.status, send.error = SendStatus.FAILED, str(exc)
            continue
        send.status, send.subject, send.html, send.text = (
            SendStatus.RENDERED, rendered.subject, rendered.html, rendered.text
        )  # fmt: skip
    with transaction.atomic():  # one commit for the batch; a send rendered twice (re-queued) is stored once
        pending = set(
            Send.objects.select_for_update()
            .filter(pk__in=[send.pk for send in sends], status=SendStatus.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        stored = [send for send in sends if send.pk in pending]
        _store_rendered(stored)
        ready = [send for send in stored if send.status == SendStatus.RENDERED]
        given = {send.pk: personalization for send, personalization in zip(sends, data, strict=True)}
        shown = [
            Shown(send.customer_id, _linked(recommended[send.customer_id], given[send.pk], send), send.pk)
            for send in ready
        ]
        recommendations_shown.send(sender=Send, channel="email", shown=shown)
    return [send.pk for send in ready]


def _linked(recommended: Recommendations, given: Personalization, send: Send) -> tuple[tuple[int, str], ...]:
    """The recommended products the email as rendered links to: a template may show fewer than
    it is given (``products(limit=…)``), or none."""
    rendered = f"{unescape(send.html)}\n{send.text}"
    return tuple(
        (item.product_id, item.strategy)
        for item, product in zip(recommended.items, given.recommendations, strict=True)
        if product.url in rendered
    )


def _store_rendered(sends: list[Send]) -> None:
    """One plain UPDATE per send, sent together: ``bulk_update`` (a CASE over the batch for
    each column) took twice as long for a batch of 50 emails."""
    columns = ("status", "subject", "html", "text", "error")  # fields named as their columns
    assignments = ", ".join(f"{column} = %s" for column in columns)
    sql = f"UPDATE {Send._meta.db_table} SET {assignments} WHERE id = %s"  # noqa: S608 - our own names
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*(getattr(send, column) for column in columns), send.pk] for send in sends])


def sends_deliver(send_ids: Sequence[int]) -> dict[str, int]:
    """Send the batch over one connection, throttled to the campaign's rate. Transient
    delivery errors put the unsent claims back (rendered) and are raised for the task to
    retry."""
    claimed, counts = _claim(send_ids)
    if not claimed:
        return counts
    mail = get_connection()
    links = SignedLinks()
    renewed = time.monotonic()
    try:
        slots: Counter[int] = Counter()  # taken from the campaign's rate, not used yet
        for index, send in enumerate(claimed):
            campaign = send.run.campaign
            if not slots[campaign.pk]:
                slots[campaign.pk] = campaign_throttle_take(
                    campaign.pk, campaign.emails_per_second, len(claimed) - index
                )
            slots[campaign.pk] -= 1
            if time.monotonic() - renewed > settings.CAMPAIGN_SEND_CLAIM_SECONDS / 3:
                _renew(claimed[index:])  # a slow (throttled) batch is still ours
                renewed = time.monotonic()
            message = build_message(
                RenderedEmail(send.subject, "", send.html, send.text),
                to=send.customer.email or "",
                unsubscribe_url=links.unsubscribe(Recipient(send.customer_id, send.pk)),
                message_id=send.message_id,
                metadata={"send": str(send.pk), "campaign": str(send.run.campaign_id)},
                tags=[f"campaign-{send.run.campaign_id}", f"variant-{send.variant.label}"],
            )
            message.connection = mail
            try:
                mail.open()  # once per batch: left closed, a backend opens one per message
                message.send()
            except TRANSIENT as exc:
                _release(claimed[index:], exc)
                raise
            status = getattr(message, "anymail_status", None)
            esp_id = getattr(status, "message_id", None) or send.message_id
            _mark_sent(send.pk, str(esp_id)[:255])
            counts["sent"] += 1
    finally:
        mail.close()
    return counts


@transaction.atomic
def _mark_sent(send_id: int, esp_message_id: str) -> None:
    """The send left; its stamp and the note that campaign figures changed commit together."""
    if Send.objects.filter(pk=send_id, status=SendStatus.SENDING).update(
        status=SendStatus.SENT, sent_at=timezone.now(), esp_message_id=esp_message_id
    ):
        aggregate_changes_record(send_ids=[send_id])


def _claim(send_ids: Sequence[int]) -> tuple[list[Send], dict[str, int]]:
    """In one transaction, lock the batch's sends, then their customers (always in that order,
    by id, so workers cannot deadlock), and mark each ``sending`` or ``skipped``. Not ours:
    sent, skipped, failed, not rendered yet, paused, or held by a live worker (``busy``)."""
    now = timezone.now()
    lease = now - timedelta(seconds=settings.CAMPAIGN_SEND_CLAIM_SECONDS)
    window = now - timedelta(days=settings.CAMPAIGN_FREQUENCY_WINDOW_DAYS)
    with transaction.atomic():
        locked = (
            Send.objects.select_for_update(of=("self",))
            .select_related("run__campaign", "variant")
            .filter(pk__in=send_ids)
            .order_by("pk")
        )
        takeable = [send for send in locked if _takeable(send, lease)]
        ids = [send.pk for send in takeable]
        customers = Customer.objects.select_for_update().filter(pk__in=[s.customer_id for s in takeable])
        by_pk = {customer.pk: customer for customer in customers.order_by("pk")}
        addresses = [c.email.lower() for c in by_pk.values() if c.email]
        suppressed = set(Suppression.objects.filter(email__in=addresses).values_list("email", flat=True))
        recent = Counter(
            Send.objects.filter(customer_id__in=list(by_pk))
            .exclude(pk__in=ids)
            .filter(
                Q(status=SendStatus.SENT, sent_at__gte=window)
                | Q(status=SendStatus.SENDING, claimed_at__gte=window)
            )
            .values_list("customer_id", flat=True)
        )
        held = customers_held_by_complaint(list(by_pk), now=now)
        claimed, skipped = [], []
        for send in takeable:
            send.customer = by_pk[send.customer_id]
            reason = _ineligible(
                send.customer, suppressed, recent[send.customer_id], send.customer_id in held
            )
            if reason:
                send.status, send.skip_reason, send.html, send.text = SendStatus.SKIPPED, reason, "", ""
                skipped.append(send)
            else:
                send.status, send.claimed_at, send.attempts = SendStatus.SENDING, now, send.attempts + 1
                recent[send.customer_id] += 1
                claimed.append(send)
        for reason in {send.skip_reason for send in skipped}:
            Send.objects.filter(pk__in=[send.pk for send in skipped if send.skip_reason == reason]).update(
                status=SendStatus.SKIPPED, skip_reason=reason, html="", text=""
            )
        Send.objects.filter(pk__in=[send.pk for send in claimed]).update(
            status=SendStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return claimed, {"sent": 0, "skipped": len(skipped), "busy": len(send_ids) - len(takeable)}


def _renew(sends: list[Send]) -> None:
    """Restart the lease of claims this worker still holds, so no one takes them over."""
    Send.objects.filter(pk__in=[send.pk for send in sends], status=SendStatus.SENDING).update(
        claimed_at=timezone.now()
    )


def _takeable(send: Send, lease: datetime) -> bool:
    """Rendered, or claimed by a worker that has been gone longer than the lease."""
    if send.run.campaign.state != CampaignState.SENDING:
        return False
    stale = send.status == SendStatus.SENDING and send.claimed_at is not None and send.claimed_at < lease
    return send.status == SendStatus.RENDERED or stale


def _ineligible(customer: Customer, suppressed: set[str], recent: int, complained: bool) -> str:
    """Why this customer may not get a campaign email now, or ''. ``complained``: the latest
    message has an intent that holds promotions (``customers_held_by_complaint``)."""
    if not customer.email:
        return "no_email"
    if not customer.marketing_consent:
        return "no_consent"
    if customer.unsubscribed_at is not None:
        return "unsubscribed"
    if customer.email.lower() in suppressed:
        return "suppressed"
    if complained:
        return COMPLAINT_HOLD
    if recent >= settings.CAMPAIGN_FREQUENCY_CAP:
        return "frequency_cap"
    return ""


def _release(sends: list[Send], exc: BaseException) -> None:
    """The server refused or the connection broke: the first message did not leave, nor did
    the rest of the batch. Back to ``rendered`` for a retry, or ``failed`` after
    ``MAX_ATTEMPTS``."""
    logger.warning("Sends %s… not delivered (attempt %s): %s", sends[0].pk, sends[0].attempts, exc)
    for send in sends:
        failed = send.attempts >= MAX_ATTEMPTS
        Send.objects.filter(pk=send.pk, status=SendStatus.SENDING).update(
            status=SendStatus.FAILED if failed else SendStatus.RENDERED,
            claimed_at=None,
            **({"error": f"{type(exc).__name__}: {exc}"[:2000]} if failed else {}),
        )


def campaign_throttle_take(campaign_id: int, per_second: int, wanted: int = 1) -> int:
    """Wait for a free slot of the campaign's rate, shared by all workers (a counter per second
    in the shared cache), and take up to ``wanted`` of them: at most a twentieth of the rate at
    once, so a fast campaign asks the cache once per batch, not once per email. Returns how
    many were taken (at least one)."""
    wanted = max(1, min(wanted, per_second // 20))
    while True:
        second = int(time.time())
        key = f"campaigns:throttle:{campaign_id}:{second}"
        cache.add(key, 0, 5)
        try:
            used = cache.incr(key, wanted)
        except ValueError:  # expired in between
            continue
        taken = min(wanted, per_second - (used - wanted))
        if taken > 0:
            return taken
        time.sleep(max(0.0, second + 1 - time.time()))
