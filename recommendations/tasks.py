from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from marketing_platform.celery import RETRYING, Queues
from recommendations.models import ModelStatus, ModelVersion
from recommendations.services import (
    TRAINING_HARD_LIMIT_SECONDS,
    market_refresh,
    model_version_request,
    model_version_train,
)


@shared_task(
    queue=Queues.TRAINING,
    autoretry_for=(OperationalError,),
    soft_time_limit=TRAINING_HARD_LIMIT_SECONDS - 300,
    time_limit=TRAINING_HARD_LIMIT_SECONDS,
    **RETRYING,
)
def train_recommender(version_id: int | None = None) -> int | None:
    """Train the requested version, or (beat) a new one unless one is training already, and
    serve it; the previous one serves until then. A version that is ready is not trained again."""
    if version_id is None:
        version, created = model_version_request(queue=False)
        return model_version_train(version=version).pk if created else None
    unfinished = ModelVersion.objects.filter(pk=version_id).exclude(status=ModelStatus.READY).first()
    return None if unfinished is None else model_version_train(version=unfinished).pk


@shared_task(
    queue=Queues.DEFAULT, autoretry_for=(OperationalError,), soft_time_limit=120, time_limit=180, **RETRYING
)
def refresh_market() -> None:
    """Beat: the shop's figures (popularity, trends, re-purchase shares) computed ahead of requests."""
    market_refresh()
