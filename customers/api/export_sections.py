"""The customers app's sections of a customer's export: purchases, events, interests (every
version) and feedback."""

from __future__ import annotations

from rest_framework import serializers

from customers.api.export import customer_export_section_register
from customers.api.feedback import FeedbackOutput
from customers.models import CustomerInterest, InteractionEvent, Purchase
from customers.selectors import customer_feedback, events_of, interest_history_of, purchases_of


class ExportedPurchase(serializers.Serializer[Purchase]):
    source = serializers.CharField()  # type: ignore[assignment]  # a field named "source"
    id = serializers.CharField(source="external_id", help_text="The line's key within its source.")
    invoice = serializers.CharField()
    kind = serializers.CharField()
    sku = serializers.CharField(source="product.sku")
    product = serializers.CharField(source="product.name")
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=3)
    amount = serializers.DecimalField(max_digits=14, decimal_places=3)
    currency = serializers.CharField()
    purchased_at = serializers.DateTimeField()
    metadata = serializers.DictField()


class ExportedEvent(serializers.Serializer[InteractionEvent]):
    source = serializers.CharField()  # type: ignore[assignment]  # a field named "source"
    id = serializers.CharField(source="external_id")
    kind = serializers.CharField()
    sku = serializers.CharField(source="product.sku")
    product = serializers.CharField(source="product.name")
    occurred_at = serializers.DateTimeField()
    metadata = serializers.DictField()


class ExportedInterest(serializers.Serializer[CustomerInterest]):
    interest = serializers.CharField(source="interest.key", help_text="topic/value.")
    name = serializers.CharField(source="interest.name")
    source = serializers.CharField()  # type: ignore[assignment]  # a field named "source"
    confidence = serializers.FloatField()
    evidence = serializers.DictField()
    valid_from = serializers.DateTimeField()
    valid_to = serializers.DateTimeField(allow_null=True, help_text="Null: it stands now.")


def register() -> None:
    customer_export_section_register(
        "purchases", purchases_of, ExportedPurchase, "Purchase lines and returns, oldest first."
    )
    customer_export_section_register(
        "events", events_of, ExportedEvent, "Views, clicks, cart additions and purchase events, oldest first."
    )
    customer_export_section_register(
        "interests",
        interest_history_of,
        ExportedInterest,
        "Every version of every interest (declared, from purchases, from messages), oldest first.",
    )
    customer_export_section_register(
        "feedback",
        lambda pk: customer_feedback(customer_id=pk),
        FeedbackOutput,
        '"Not for me" and "more like this" on products, as it stands, latest first.',
    )
