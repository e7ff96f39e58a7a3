from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from analytics.attribution_refresh import attribution_refresh
from analytics.services.refresh import aggregates_refresh
from marketing_platform.celery import RETRYING, Queues


@shared_task(
    queue=Queues.DEFAULT, autoretry_for=(OperationalError,), soft_time_limit=120, time_limit=180, **RETRYING
)
def refresh_attribution() -> int:
    """Beat: credit what is new to the clicks that earned it (``attribution_refresh``)."""
    return attribution_refresh().conversions


@shared_task(queue=Queues.DEFAULT, autoretry_for=(OperationalError,), soft_time_limit=300, time_limit=360,
             **RETRYING)  # fmt: skip
def refresh_aggregates() -> int:
    """Beat: recompute the aggregate keys changed since the last refresh. Idempotent."""
    return aggregates_refresh().changes
