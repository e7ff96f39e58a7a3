from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from analytics.services.refresh import aggregates_refresh
from marketing_platform.celery import RETRYING, Queues


@shared_task(queue=Queues.DEFAULT, autoretry_for=(OperationalError,), soft_time_limit=300, time_limit=360,
             **RETRYING)  # fmt: skip
def refresh_aggregates() -> int:
    """Beat: recompute the aggregate keys changed since the last refresh. Idempotent."""
    return aggregates_refresh().changes
