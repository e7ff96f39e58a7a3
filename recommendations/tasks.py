from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from marketing_platform.celery import RETRYING, Queues
from recommendations.models import ModelStatus, ModelVersion
from recommendations.services import TRAINING_HARD_LIMIT_SECONDS, model_version_train


@shared_task(
    queue=Queues.TRAINING,
    autoretry_for=(OperationalError,),
    soft_time_limit=TRAINING_HARD_LIMIT_SECONDS - 300,
    time_limit=TRAINING_HARD_LIMIT_SECONDS,
    **RETRYING,
)
def train_recommender(version_id: int | None = None) -> int | None:
    """Train a new version (or the requested one, unless it already finished) and serve it;
    the previous one serves until then."""
    if version_id is None:
        return model_version_train().pk
    version = ModelVersion.objects.filter(pk=version_id, status=ModelStatus.TRAINING).first()
    return None if version is None else model_version_train(version=version).pk
