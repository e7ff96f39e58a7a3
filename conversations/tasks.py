from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from conversations.embedding import EmbeddingsUnavailable
from conversations.services.intent_classification import intent_classifier_train, messages_reclassify
from marketing_platform.celery import RETRYING, Queues

TRANSIENT = (OperationalError, EmbeddingsUnavailable)


@shared_task(queue=Queues.TRAINING, autoretry_for=TRANSIENT, soft_time_limit=600, time_limit=660, **RETRYING)
def train_intent_classifier() -> int:
    """After changes to intents, examples or corrections (debounced), and periodically: a no-op when
    the stored classifier learned exactly what the shop has."""
    return intent_classifier_train().pk


@shared_task(queue=Queues.TRAINING, autoretry_for=TRANSIENT, soft_time_limit=300, time_limit=360, **RETRYING)
def reclassify_messages(digest: str, after_id: int) -> int | None:
    """One batch of messages classified again after a training; the next batch follows."""
    last = messages_reclassify(digest=digest, after_id=after_id)
    if last is not None:
        reclassify_messages.delay(digest, last)
    return last
