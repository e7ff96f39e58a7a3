"""Serializer parts that refuse what DRF would silently coerce: unknown fields and wrong types.

A frontend that sends ``"6"`` for a quantity or a misspelt field name has a
bug; telling it at once is kinder than storing a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from marketing_platform.storable import NUL, json_problem


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not declare, alongside the usual field errors.

    Names in ``read_only_names`` (fields a client reads but may not write, such as ids
    and timestamps) are refused with the code ``read_only``, so a mass-assignment
    attempt is told, not silently ignored.
    """

    read_only_names: tuple[str, ...] = ()

    def to_internal_value(self, data: Any) -> Any:
        errors: dict[str, Any] = {}
        value: Any = None
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, Mapping):
                raise
            errors.update(exc.detail)
        if isinstance(data, Mapping):
            for name in sorted(set(data) - set(self.fields)):
                errors[name] = (
                    [ErrorDetail("This field is read-only.", code="read_only")]
                    if name in self.read_only_names
                    else [ErrorDetail("This field is not accepted.", code="unknown_field")]
                )
        if errors:
            raise serializers.ValidationError(errors)
        return value


class StrictCharField(serializers.CharField):
    """A JSON string, taken as sent: lengths are checked on what the client sent, untrimmed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictFloatField(serializers.FloatField):
    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictDecimalField(serializers.DecimalField):
    """Accepts a JSON string or number, never a boolean."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that states its UTC offset; a naive one is ambiguous."""

    default_error_messages = {"naive": "Include a UTC offset, e.g. 2011-12-09T12:50:00+00:00."}

    def to_internal_value(self, value: Any) -> datetime:
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:  # well-formed but impossible, e.g. minute 60
            parsed = None
        if parsed is None:
            self.fail("invalid", format="ISO 8601")
        if timezone.is_naive(parsed):
            self.fail("naive")
        # In UTC: PostgreSQL refuses offsets Python accepts (beyond ±15:59).
        return super().to_internal_value(value).astimezone(UTC)


class JSONObjectField(serializers.DictField):
    """A JSON object of any values, without NUL characters (PostgreSQL's jsonb refuses them)."""

    default_error_messages = {
        "null_characters": "Text may not contain NUL (\\u0000) characters.",
        "unstorable": "This JSON cannot be stored: {problem}.",
    }

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value = super().to_internal_value(data)
        problem = json_problem(value)
        if problem == NUL:
            self.fail("null_characters")
        if problem is not None:
            self.fail("unstorable", problem=problem)
        return value
