"""Filters that refuse a parameter they cannot read (empty, or a boolean other than true/false),

where django-filter would ignore it and answer the unfiltered list.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms


class _StrictForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        for name, field in self.fields.items():
            if name not in self.data:
                continue
            value = self.data[name]
            if value == "":
                self.add_error(
                    name, forms.ValidationError("Give a value or leave the parameter out.", "empty")
                )
            elif isinstance(field, forms.NullBooleanField) and value not in ("true", "false"):
                self.add_error(name, forms.ValidationError("Use true or false.", "invalid"))
            elif isinstance(cleaned.get(name), datetime):
                # In UTC: PostgreSQL refuses offsets Python accepts (beyond ±15:59).
                cleaned[name] = cleaned[name].astimezone(UTC)
        return cleaned


class StrictFilterSet(django_filters.FilterSet):
    def get_form_class(self) -> type[forms.Form]:
        base = super().get_form_class()
        form: type[forms.Form] = type(f"Strict{base.__name__}", (_StrictForm, base), {})
        return form
