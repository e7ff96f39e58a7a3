"""A batch of messages in, each checked on its own; messages out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conversations.languages import language_tag
from conversations.models import MESSAGE_MAX_CHARS, Channel, Message
from conversations.services.recording import Refusal
from customers.api.serializers import identifier, source_slug
from marketing_platform.api.errors import field_errors
from marketing_platform.api.strict import (
    AwareDateTimeField,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
)
from marketing_platform.ranges import validate_moment

Problem = dict[str, str]


class MessageInput(StrictSerializer):
    """One message a customer sent; its id is the sender's, so a resend is recognised."""

    id = StrictCharField(max_length=128, validators=[identifier])
    text = StrictCharField(max_length=MESSAGE_MAX_CHARS)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.OTHER)
    sent_at = AwareDateTimeField(validators=[validate_moment])
    campaign = StrictIntegerField(
        required=False, min_value=1, help_text="The id of the campaign the message answers."
    )
    language = StrictCharField(required=False, max_length=35, help_text="BCP 47, e.g. en or de-CH.")

    def validate_text(self, text: str) -> str:
        if not text.strip():
            raise serializers.ValidationError("The message says nothing.", code="blank")
        return text

    def validate_language(self, language: str) -> str:
        try:
            return language_tag(language)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from exc


@extend_schema_field(MessageInput(many=True))
class MessageItems(serializers.ListField):
    """Items are checked one by one (``checked_items``): a bad one does not refuse the others."""


class MessagesIngestInput(StrictSerializer):
    source = StrictCharField(  # type: ignore[assignment]  # a field named "source"
        default="api", max_length=32, validators=[source_slug]
    )
    messages = MessageItems(child=serializers.JSONField(), min_length=1, max_length=settings.INGEST_MAX_ITEMS)


def checked_items(items: Sequence[Any]) -> tuple[list[int], list[dict[str, Any]], list[Problem]]:
    """The positions and validated data of the valid items, and the problems of the others."""
    positions: list[int] = []
    valid: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for position, item in enumerate(items):
        message = MessageInput(data=item)
        if message.is_valid():
            positions.append(position)
            valid.append(message.validated_data)
        else:
            problems += [_at(position, problem) for problem in problems_of(message)]
    return positions, valid, problems


def problems_of(invalid: serializers.Serializer) -> list[Problem]:
    """A validated serializer's errors as the envelope lists them."""
    return field_errors(serializers.ValidationError(invalid.errors))


def refused_items(positions: Sequence[int], refused: Mapping[int, Refusal]) -> list[Problem]:
    """What the service refused, at each item's position in the request."""
    return [
        _at(positions[index], {"field": refusal.field, "code": refusal.code, "message": refusal.message})
        for index, refusal in refused.items()
    ]


def _at(position: int, problem: Problem) -> Problem:
    path = f"messages.{position}" + (f".{problem['field']}" if problem["field"] else "")
    return {**problem, "field": path}


class ProblemOutput(serializers.Serializer):
    field = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class MessagesIngestOutput(serializers.Serializer):
    external_id = serializers.CharField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField(help_text="Stored before with other content.")
    unchanged = serializers.IntegerField(help_text="Stored before as sent: nothing written.")
    rejected = ProblemOutput(many=True, help_text="The messages not stored, and why.")


class MessageOutput(serializers.ModelSerializer[Message]):
    customer = serializers.CharField(source="customer.external_id")
    intent = serializers.SlugRelatedField[Any](
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="Its slug; null: none yet, or none fits.",
    )

    class Meta:
        model = Message
        fields = (
            "id",
            "customer",
            "source",
            "message_id",
            "text",
            "channel",
            "sent_at",
            "campaign",
            "language",
            "intent",
            "intent_confidence",
            "intent_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class MessagesSearchInput(StrictSerializer):
    """The query string of a search by meaning."""

    q = StrictCharField(max_length=1000, help_text="What the messages are about, in any language.")
    customer = StrictCharField(
        required=False, max_length=128, help_text="Only this customer's (external id)."
    )
    intent = StrictCharField(
        required=False, max_length=100, help_text="Only messages with this intent (slug)."
    )
    since = AwareDateTimeField(required=False, help_text="Only messages sent at or after this moment.")
    k = serializers.IntegerField(
        required=False, min_value=1, max_value=100, default=10, help_text="How many."
    )

    def validate_q(self, q: str) -> str:
        if not q.strip():
            raise serializers.ValidationError("Say what to search for.", code="blank")
        return q


class MessageMatchOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="message.pk")
    customer = serializers.CharField(source="message.customer.external_id")
    text = serializers.CharField(source="message.text")
    sent_at = serializers.DateTimeField(source="message.sent_at")
    intent = serializers.CharField(source="message.intent.slug", allow_null=True, help_text="Its slug.")
    score = serializers.FloatField(help_text="Cosine similarity to the query: 1 is the same meaning.")


class MessagesSearchOutput(serializers.Serializer[Any]):
    results = MessageMatchOutput(many=True, help_text="Best first.")
