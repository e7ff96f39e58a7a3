"""What other parts of the platform hear from conversations: inbound mail arrives through
anymail's views (``/webhooks/anymail/<esp>/inbound/``) and becomes messages; messages just
embedded are announced with their vectors (``messages_embedded``), so what reads their meaning
(intents) does not embed them again; a deleted message's vector leaves the vector store."""

from __future__ import annotations

from typing import Any

from anymail.signals import AnymailInboundEvent, inbound
from django.db.models.signals import post_delete
from django.dispatch import Signal, receiver

from conversations.models import Message
from conversations.services.inbound import inbound_email_record
from conversations.services.vectors import message_vectors_forget_after_commit

# Sent after a batch's vectors are stored: ``messages`` (list[Message]) and ``vectors``
# (np.ndarray, one L2-normalised row per message, in the same order).
messages_embedded = Signal()


@receiver(inbound)
def record_inbound_email(sender: Any, event: AnymailInboundEvent, esp_name: str, **kwargs: Any) -> None:
    if event.message is not None:
        inbound_email_record(event.message)


@receiver(post_delete, sender=Message)
def forget_deleted_message_vector(sender: Any, instance: Message, **kwargs: Any) -> None:
    """However a message goes (the API, the admin, its customer's deletion), its vector follows."""
    message_vectors_forget_after_commit([instance.pk])
