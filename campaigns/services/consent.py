"""Unsubscribing: from a link, a one-click POST, or an ESP's complaint."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from analytics.services.changes import aggregate_changes_record
from campaigns.models import Send
from customers.models import Customer


def customer_unsubscribe(*, customer_id: int, send_id: int | None = None) -> bool:
    """Idempotent: the first call records the time (and on the send it came from); later
    ones change nothing. Returns whether the customer was subscribed until now."""
    now = timezone.now()
    with transaction.atomic():
        changed = Customer.objects.filter(pk=customer_id, unsubscribed_at__isnull=True).update(
            unsubscribed_at=now, marketing_consent=False
        )
        if send_id is not None and Send.objects.filter(
            pk=send_id, customer_id=customer_id, unsubscribed_at__isnull=True
        ).update(unsubscribed_at=now):
            aggregate_changes_record(send_ids=[send_id])
    return bool(changed)
