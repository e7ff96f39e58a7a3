"""Conversations' work on the workers: message vectors on the ``embeddings`` queue, the intent
classifier on ``training``; thin, idempotent, retried while the embeddings server, the vector
store or the database is down (the periodic sweeps catch what runs out of retries)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from conversations.embedding import EmbeddingsUnavailable
from conversations.services.intent_classification import intent_classifier_train, messages_reclassify
from conversations.services.vectors import message_vectors_delete, message_vectors_sweep, messages_embed
from conversations.vectors.port import VectorStoreUnavailable
from marketing_platform.celery import RETRYING, Queues

TRANSIENT = (EmbeddingsUnavailable, VectorStoreUnavailable, OperationalError)


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


@shared_task(
    queue=Queues.EMBEDDINGS, autoretry_for=TRANSIENT, soft_time_limit=300, time_limit=360, **RETRYING
)
def embed_messages(message_ids: list[int]) -> int:
    """After messages are stored: embed one batch of them; how many were."""
    return messages_embed(ids=message_ids).embedded


@shared_task(
    queue=Queues.EMBEDDINGS, autoretry_for=TRANSIENT, soft_time_limit=300, time_limit=360, **RETRYING
)
def refresh_message_vectors(message_ids: list[int]) -> int:
    """After their intents changed: store these messages' vectors again with their fields."""
    return messages_embed(ids=message_ids, force=True).embedded


@shared_task(
    queue=Queues.EMBEDDINGS, autoretry_for=TRANSIENT, soft_time_limit=300, time_limit=360, **RETRYING
)
def forget_message_vectors(message_ids: list[int]) -> None:
    """After messages are deleted: remove their vectors."""
    message_vectors_delete(ids=message_ids)


@shared_task(
    queue=Queues.EMBEDDINGS, autoretry_for=TRANSIENT, soft_time_limit=1800, time_limit=2000, **RETRYING
)
def sweep_message_vectors() -> int:
    """Periodically: embed what is missing or stale (bounded), remove vectors of deleted messages."""
    return message_vectors_sweep().embedded
