"""A customer's vision boards, every version, as a section of its export."""

from __future__ import annotations

from collections.abc import Iterator

from rest_framework import serializers

from customers.api.export import customer_export_section_register
from visionboards.models import VisionBoard


class ExportedBoard(serializers.Serializer[VisionBoard]):
    version = serializers.IntegerField()
    status = serializers.CharField()
    requested_at = serializers.DateTimeField()
    generated_at = serializers.DateTimeField(allow_null=True)
    layout = serializers.JSONField(help_text="As the vision-board endpoint gives it (products by SKU).")
    source = serializers.JSONField(help_text="What it was built from.")  # type: ignore[assignment]  # a field named "source"
    fallbacks = serializers.JSONField()
    error = serializers.CharField()


def boards_of(customer_id: int) -> Iterator[VisionBoard]:
    rows = VisionBoard.objects.filter(customer_id=customer_id).defer("social_image", "screen_image")
    return rows.order_by("version").iterator(chunk_size=50)


def register() -> None:
    customer_export_section_register(
        "vision_boards",
        boards_of,
        ExportedBoard,
        "Every version of the customer's vision board, oldest first.",
    )
