"""The campaign emails sent to a customer, as a section of its export (not their HTML)."""

from __future__ import annotations

from collections.abc import Iterator

from rest_framework import serializers

from campaigns.models import Send
from customers.api.export import customer_export_section_register


class ExportedEmail(serializers.Serializer[Send]):
    campaign = serializers.CharField(source="run.campaign.name")
    variant = serializers.CharField(source="variant.label")
    subject = serializers.CharField()
    status = serializers.CharField()
    skip_reason = serializers.CharField(help_text="Why it was not sent, when it was not.")
    sent_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    opened_at = serializers.DateTimeField(allow_null=True)
    clicked_at = serializers.DateTimeField(allow_null=True)
    bounced_at = serializers.DateTimeField(allow_null=True)
    complained_at = serializers.DateTimeField(allow_null=True)
    unsubscribed_at = serializers.DateTimeField(allow_null=True, help_text="Unsubscribed from this email.")


def emails_to(customer_id: int) -> Iterator[Send]:
    rows = Send.objects.filter(customer_id=customer_id).select_related("run__campaign", "variant")
    return rows.order_by("run__started_at", "pk").iterator(chunk_size=2000)


def register() -> None:
    customer_export_section_register(
        "emails",
        emails_to,
        ExportedEmail,
        "Campaign emails to the customer and what became of them, oldest first.",
    )
