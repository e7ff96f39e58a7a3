"""Reads of messages."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from conversations.models import Intent, IntentBy, IntentExample, Message, TrainedIntentClassifier
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


@dataclass(frozen=True)
class IntentTrainingSet:
    """What the intent classifier learns from, as ``(intent pk, text)`` pairs: the active intents'
    examples and the messages staff filed under an active intent."""

    examples: list[tuple[int, str]]
    corrections: list[tuple[int, str]]

    def digest(self, model: str) -> str:
        """Changes when anything learned from, or the model embedding it, changes."""
        payload = json.dumps([model, self.examples, self.corrections], ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


def intent_training_set() -> IntentTrainingSet:
    examples = IntentExample.objects.filter(intent__active=True).order_by("intent_id", "pk")
    corrections = Message.objects.filter(intent_by=IntentBy.STAFF, intent__active=True).order_by("pk")
    return IntentTrainingSet(
        examples=list(examples.values_list("intent_id", "text")),
        corrections=list(corrections.values_list("intent_id", "text")),
    )


def intent_classifier_state(model: str) -> TrainedIntentClassifier | None:
    """The classifier trained for vectors of ``model`` (without its pickled bytes), if any."""
    return TrainedIntentClassifier.objects.defer("classifier").filter(embedding_model=model).first()


def intents_with_counts() -> QuerySet[Intent]:
    """Intents with ``example_count`` and ``message_count`` (each a subquery: a join of both would
    multiply the rows)."""

    def count(model: type[IntentExample] | type[Message]) -> Coalesce:
        counted = model.objects.filter(intent=OuterRef("pk")).order_by().values("intent")
        return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)

    return Intent.objects.annotate(example_count=count(IntentExample), message_count=count(Message))
