from __future__ import annotations

from celery import shared_task
from django.db import IntegrityError, OperationalError

from customers.services.interests import interests_recompute, stale_interests_recompute
from marketing_platform.celery import RETRYING, Queues

# Transient: the database or broker blinked, or a concurrent writer won a race.
TRANSIENT = (OperationalError, IntegrityError, ConnectionError, TimeoutError)


@shared_task(queue=Queues.DEFAULT, autoretry_for=TRANSIENT, soft_time_limit=60, time_limit=90, **RETRYING)
def recompute_customer_interests(customer_id: int) -> None:
    """Idempotent: an unchanged result writes no new history row."""
    interests_recompute([customer_id])


@shared_task(queue=Queues.DEFAULT, acks_late=True, soft_time_limit=240, time_limit=300)
def recompute_stale_interests() -> int:
    """Periodic drain: recomputes customers whose on-commit task never ran."""
    return stale_interests_recompute()
