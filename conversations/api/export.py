"""What a customer wrote, as a section of its export."""

from __future__ import annotations

from collections.abc import Iterator

from rest_framework import serializers

from conversations.models import Message
from customers.api.export import customer_export_section_register


class ExportedMessage(serializers.Serializer[Message]):
    source = serializers.CharField()  # type: ignore[assignment]  # a field named "source"
    message_id = serializers.CharField()
    channel = serializers.CharField()
    sent_at = serializers.DateTimeField()
    text = serializers.CharField()
    language = serializers.CharField()
    campaign = serializers.CharField(source="campaign.name", allow_null=True, default=None)
    intent = serializers.CharField(source="intent.slug", allow_null=True, default=None)
    intent_by = serializers.CharField()


def messages_of(customer_id: int) -> Iterator[Message]:
    rows = Message.objects.filter(customer_id=customer_id).select_related("campaign", "intent")
    return rows.order_by("sent_at", "pk").iterator(chunk_size=2000)


def register() -> None:
    customer_export_section_register(
        "messages", messages_of, ExportedMessage, "What the customer wrote, with its intent, oldest first."
    )
