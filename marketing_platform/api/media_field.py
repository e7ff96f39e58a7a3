"""A stored picture in API answers: its address at the platform's /media/, on either storage."""

from __future__ import annotations

from typing import Any

from django.db.models.fields.files import FieldFile
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketing_platform.media import media_address


@extend_schema_field({"type": "string", "format": "uri", "nullable": True})
class MediaAddressField(serializers.Field[FieldFile, None, str | None, Any]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: FieldFile) -> str | None:
        return media_address(self.context.get("request"), value)
