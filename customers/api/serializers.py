from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from customers.models import InteractionKind, InterestSource, PurchaseKind
from marketing_platform.api.strict import (
    AwareDateTimeField,
    JSONObjectField,
    StrictBooleanField,
    StrictCharField,
    StrictDecimalField,
    StrictFloatField,
    StrictIntegerField,
    StrictSerializer,
)
from marketing_platform.ranges import (
    MAX_AMOUNT,
    MAX_QUANTITY,
    MAX_UNIT_PRICE,
    price_out_of_range,
    validate_moment,
)

identifier = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._:/@-]*$",
    "Use letters, digits and . _ : / @ - only.",
    code="invalid_identifier",
)
MAX_LINE = 999_999
source_slug = RegexValidator(
    r"^[a-z0-9][a-z0-9-]*$", "Use lowercase letters, digits and -.", code="invalid_source"
)


def _items(child: serializers.Serializer) -> serializers.ListSerializer:
    return serializers.ListSerializer(
        child=child, required=False, default=list, max_length=settings.INGEST_MAX_ITEMS
    )


class ExternalIdInput(serializers.Serializer):
    external_id = StrictCharField(max_length=64, validators=[identifier])


class CustomerInput(StrictSerializer):
    """Fields of the customer to set (created if new)."""

    email = serializers.EmailField(required=False, allow_null=True, max_length=254)
    name = StrictCharField(required=False, allow_blank=True, max_length=200)
    country = StrictCharField(required=False, allow_blank=True, max_length=64)
    profile = JSONObjectField(required=False)
    marketing_consent = StrictBooleanField(required=False)


class PurchaseInput(StrictSerializer):
    """One purchased or returned line; keyed by id, or by invoice and line."""

    id = StrictCharField(required=False, max_length=128, validators=[identifier])
    invoice = StrictCharField(required=False, max_length=64, validators=[identifier])
    line = StrictIntegerField(required=False, min_value=1, max_value=MAX_LINE)
    kind = serializers.ChoiceField(choices=PurchaseKind.choices, default=PurchaseKind.SALE)
    sku = StrictCharField(max_length=64)
    quantity = StrictIntegerField(
        min_value=1, max_value=MAX_QUANTITY, help_text="Always positive; a return says so in kind."
    )
    unit_price = StrictDecimalField(max_digits=12, decimal_places=3, min_value=0, max_value=MAX_UNIT_PRICE)
    currency = StrictCharField(min_length=3, max_length=3, default=settings.DEFAULT_CURRENCY)
    purchased_at = AwareDateTimeField(validators=[validate_moment])
    metadata = JSONObjectField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "id" not in attrs and not ("invoice" in attrs and "line" in attrs):
            raise serializers.ValidationError(
                "Give the purchase an id, or an invoice and a line, so a resend is recognised.",
                code="missing_key",
            )
        if price_out_of_range(attrs["unit_price"], attrs["quantity"]):
            raise serializers.ValidationError(
                {
                    "quantity": [
                        ErrorDetail(f"quantity × unit_price exceeds {MAX_AMOUNT:,}.", code="max_value")
                    ]
                }
            )
        return attrs


class InterestInput(StrictSerializer):
    """An interest the customer declared, or one inferred from their messages."""

    interest = StrictCharField(max_length=201, help_text="topic/value, e.g. seasonal/christmas.")
    confidence = StrictFloatField(min_value=0.0, max_value=1.0)
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a field named "source"
        choices=[InterestSource.DECLARED, InterestSource.MESSAGES],
        default=InterestSource.DECLARED,
        help_text="Purchase-inferred interests are computed by the platform.",
    )


class EventInput(StrictSerializer):
    """An interaction: a view, click, cart addition or purchase of a product."""

    id = StrictCharField(required=False, max_length=128, validators=[identifier])
    kind = serializers.ChoiceField(choices=InteractionKind.choices)
    sku = StrictCharField(max_length=64)
    occurred_at = AwareDateTimeField(validators=[validate_moment])
    metadata = JSONObjectField(required=False)


class IngestInput(StrictSerializer):
    """One customer's batch; validated whole, stored idempotently."""

    source = StrictCharField(  # type: ignore[assignment]  # a field named "source"
        default="api", max_length=32, validators=[source_slug]
    )
    customer = CustomerInput(required=False, default=dict)
    purchases = _items(PurchaseInput())
    interests = _items(InterestInput())
    events = _items(EventInput())

    def validate_interests(self, interests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen: set[tuple[str, str]] = set()
        repeated = {}
        for index, item in enumerate(interests):
            key = (item["interest"], item["source"])
            if key in seen:
                repeated[str(index)] = [
                    ErrorDetail("This interest and source appear earlier in the batch.", code="duplicate")
                ]
            seen.add(key)
        if repeated:
            raise serializers.ValidationError(repeated)
        return interests


class CountsOutput(serializers.Serializer):
    created = serializers.IntegerField()
    duplicate = serializers.IntegerField()


class IngestOutput(serializers.Serializer):
    external_id = serializers.CharField(source="customer.external_id")
    customer_created = serializers.BooleanField()
    customer_updated = serializers.BooleanField()
    purchases = CountsOutput()
    interests = CountsOutput()
    events = CountsOutput()
