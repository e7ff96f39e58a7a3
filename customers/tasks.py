from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from customers.services.interests import interests_recompute_from_purchases
from marketing_platform.celery import Queues


@shared_task(
    queue=Queues.DEFAULT,
    acks_late=True,
    autoretry_for=(OperationalError, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def recompute_customer_interests(customer_id: int) -> None:
    """Idempotent: an unchanged result writes no new history row."""
    interests_recompute_from_purchases([customer_id])
