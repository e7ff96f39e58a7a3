"""Reads of messages."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from conversations.models import Message
from marketing_platform.api.principal import Principal, Role


def messages_visible_to(principal: Principal) -> QuerySet[Message]:
    """Every message for staff and services; a customer's login sees only its own."""
    messages = Message.objects.select_related("customer", "intent")
    if principal.role == Role.CUSTOMER:
        return messages.filter(customer_id=principal.own_customer_id)
    return messages


def messages_to_embed(*, model: str) -> QuerySet[Message]:
    """Messages without an embedding by ``model`` of their current text (none yet, another
    model's, or one of a text since changed, which clears the model), oldest first. Written as
    two ranges, not ``!=``, so the ``embedding_model`` index serves it."""
    other = Q(embedding_model__lt=model) | Q(embedding_model__gt=model)
    return Message.objects.filter(other).order_by("pk")
