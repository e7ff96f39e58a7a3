"""What other parts of the platform hear from conversations: inbound mail arrives through
anymail's views (``/webhooks/anymail/<esp>/inbound/``) and becomes messages; messages just
embedded are announced with their vectors (``messages_embedded``), so what reads their meaning
(intents) does not embed them again; messages whose intent changed are announced too, and a
deleted message's vector leaves the vector store."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from anymail.signals import AnymailInboundEvent, inbound
from django.db.models.signals import post_delete
from django.dispatch import Signal, receiver

from conversations.models import Message
from conversations.services.inbound import inbound_email_record
from conversations.services.vectors import (
    message_vectors_forget_after_commit,
    message_vectors_refresh_after_commit,
)

logger = logging.getLogger(__name__)

# Sent after a batch's vectors are stored: ``messages`` (list[Message]) and ``vectors``
# (np.ndarray, one L2-normalised row per message, in the same order); ``model`` (str), the
# embedding model that made them, is optional: the process's embedder made them when it is left out.
messages_embedded = Signal()
# Sent inside the transaction that changed them: ``message_ids`` (list[int]), messages whose intent,
# confidence or who set it changed (a classification, a staff correction, an intent deleted).
message_intents_changed = Signal()


@receiver(inbound)
def record_inbound_email(sender: Any, event: AnymailInboundEvent, esp_name: str, **kwargs: Any) -> None:
    if event.message is not None:
        inbound_email_record(event.message)


@receiver(messages_embedded, dispatch_uid="intents-classify-embedded-messages")
def classify_embedded_messages(
    sender: Any, messages: list[Any], vectors: np.ndarray, model: str | None = None, **kwargs: Any
) -> None:
    # Imported here: the intent services send this module's signals.
    from conversations.embedding import embedder
    from conversations.services.intent_classification import messages_intents_classify

    try:
        messages_intents_classify(
            message_ids=[message.pk for message in messages],
            vectors=vectors,
            model=model or embedder().model,
        )
    except Exception:  # the vectors are stored whatever becomes of their intents
        logger.exception(
            "Intents: %d messages just embedded not classified; the next training will", len(messages)
        )


@receiver(post_delete, sender=Message)
def forget_deleted_message_vector(sender: Any, instance: Message, **kwargs: Any) -> None:
    """However a message goes (the API, the admin, its customer's deletion), its vector follows."""
    message_vectors_forget_after_commit([instance.pk])


@receiver(message_intents_changed, dispatch_uid="vectors-follow-intents")
def refresh_vectors_of_changed_intents(sender: Any, message_ids: list[int], **kwargs: Any) -> None:
    """A search filters on a message's intent: its vector's copy follows a correction."""
    message_vectors_refresh_after_commit(message_ids)
