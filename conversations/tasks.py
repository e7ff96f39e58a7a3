"""Message vectors on the ``embeddings`` queue: thin, idempotent, retried while the embeddings
server or the vector store is down (the periodic sweep catches what runs out of retries)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from conversations.embedding import EmbeddingsUnavailable
from conversations.services.vectors import message_vectors_delete, message_vectors_sweep, messages_embed
from conversations.vectors.port import VectorStoreUnavailable
from marketing_platform.celery import RETRYING, Queues

TRANSIENT = (EmbeddingsUnavailable, VectorStoreUnavailable, OperationalError)


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
