"""Reads of messages."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from conversations.models import Intent, IntentBy, IntentExample, Message, TrainedIntentClassifier
from customers.models import Customer
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


def latest_message(field: str) -> Subquery:
    """The ``field`` of the latest message of the customer (``OuterRef("pk")``) a query reads."""
    latest = Message.objects.filter(customer_id=OuterRef("pk")).order_by("-sent_at", "-pk")
    return Subquery(latest.values(field)[:1])


def message_senders(*, intent_ids: Collection[int], since: datetime | None) -> QuerySet[Message, int]:
    """The ids of the customers who sent a message with one of these intents (any
    message if none is given), since ``since`` if given."""
    messages = Message.objects.all()
    if intent_ids:
        messages = messages.filter(intent_id__in=list(intent_ids))
    if since is not None:
        messages = messages.filter(sent_at__gte=since)
    return messages.values_list("customer_id", flat=True)


@dataclass(frozen=True)
class LatestMessage:
    """What a customer last wrote about, without the words."""

    intent: str  # the intent's slug; empty when the message has none (yet)
    intent_name: str
    channel: str
    sent_at: datetime
    holds_promotions: bool  # its intent holds promotions (a complaint)

    def holds_campaigns(self, now: datetime) -> bool:
        """A complaint less than ``CAMPAIGN_COMPLAINT_HOLD_DAYS`` old: no campaign email until the
        hold runs out or the customer writes again about something else."""
        hold = timedelta(days=settings.CAMPAIGN_COMPLAINT_HOLD_DAYS)
        return self.holds_promotions and self.sent_at >= now - hold


def latest_messages(customer_ids: Collection[int]) -> dict[int, LatestMessage]:
    """Each of these customers' latest message (those who wrote one), in one query."""
    latest = Customer.objects.filter(pk__in=list(customer_ids)).annotate(last=latest_message("pk"))
    messages = Message.objects.filter(pk__in=latest.values("last")).values_list(
        "customer_id", "intent__slug", "intent__name", "channel", "sent_at", "intent__holds_promotions"
    )
    return {
        customer_id: LatestMessage(slug or "", name or "", channel, sent_at, bool(holds))
        for customer_id, slug, name, channel, sent_at, holds in messages
    }


def customers_held_by_complaint(customer_ids: Collection[int], *, now: datetime) -> set[int]:
    """Of these customers, those whose latest message holds campaigns (``LatestMessage``)."""
    return {pk for pk, latest in latest_messages(customer_ids).items() if latest.holds_campaigns(now)}


def recent_messages(customer_id: int, *, limit: int) -> list[Message]:
    """The customer's latest messages, newest first, with their intents and campaigns."""
    return list(
        Message.objects.filter(customer_id=customer_id)
        .select_related("intent", "campaign")
        .order_by("-sent_at", "-pk")[:limit]
    )


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
