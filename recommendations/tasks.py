from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from marketing_platform.celery import RETRYING, Queues
from recommendations.services import model_version_train


@shared_task(
    queue=Queues.TRAINING,
    autoretry_for=(OperationalError,),
    soft_time_limit=3600,
    time_limit=3900,
    **RETRYING,
)
def train_recommender() -> int:
    """Train a new version and serve it; the previous one serves until then."""
    return model_version_train().pk
