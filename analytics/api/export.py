"""What the customer was shown and which of its purchases were credited to a click, as
sections of its export: both are personal data the platform keeps."""

from __future__ import annotations

from collections.abc import Iterator

from rest_framework import serializers

from analytics.attribution_models import Conversion, Impression
from customers.api.export import customer_export_section_register


class ExportedImpression(serializers.Serializer[Impression]):
    sku = serializers.CharField(source="product.sku")
    product = serializers.CharField(source="product.name")
    channel = serializers.CharField(help_text="email or api.")
    strategy = serializers.CharField(help_text="The source that recommended it.")
    position = serializers.IntegerField()
    shown_at = serializers.DateTimeField()


class ExportedConversion(serializers.Serializer[Conversion]):
    sku = serializers.CharField(source="product.sku")
    product = serializers.CharField(source="product.name")
    channel = serializers.CharField()
    strategy = serializers.CharField(help_text="Blank: credited to the campaign only.")
    campaign = serializers.CharField(source="campaign.name", allow_null=True)
    purchased_at = serializers.DateTimeField()
    revenue = serializers.DecimalField(max_digits=14, decimal_places=3)


def impressions_of(customer_id: int) -> Iterator[Impression]:
    rows = Impression.objects.filter(customer_id=customer_id).select_related("product")
    return rows.order_by("shown_at", "pk").iterator(chunk_size=2000)


def conversions_of(customer_id: int) -> Iterator[Conversion]:
    rows = Conversion.objects.filter(customer_id=customer_id).select_related("product", "campaign")
    return rows.order_by("purchased_at", "pk").iterator(chunk_size=2000)


def register() -> None:
    customer_export_section_register(
        "recommendations_shown",
        impressions_of,
        ExportedImpression,
        "Recommended products shown to the customer, in emails and through the API, oldest first.",
    )
    customer_export_section_register(
        "attributed_purchases",
        conversions_of,
        ExportedConversion,
        "Purchases credited to a click on an email or a recommendation, oldest first.",
    )
