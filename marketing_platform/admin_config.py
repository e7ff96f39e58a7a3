"""Django's admin as the platform's own site (``admin_site``), with every JSON field refusing what
cannot be stored: a form error that names the problem, where PostgreSQL would have failed the
save with a server error."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin import options
from django.contrib.admin.apps import AdminConfig
from django.db import models
from django.forms.fields import InvalidJSONInput

from marketing_platform.storable import TOO_DEEP, json_problem


class StorableJSONField(forms.JSONField):
    def bound_data(self, data: Any, initial: Any) -> Any:
        """What the form shows again: the text as typed when it cannot be stored (its decoded value
        could not even be written into the page)."""
        try:
            bound = super().bound_data(data, initial)
        except RecursionError:
            return InvalidJSONInput(data)
        return bound if self.disabled or json_problem(bound) is None else InvalidJSONInput(data)

    def to_python(self, value: Any) -> Any:
        try:
            converted = super().to_python(value)
        except RecursionError:
            raise forms.ValidationError(
                f"This JSON cannot be stored: {TOO_DEEP}.", code="unstorable"
            ) from None
        problem = json_problem(converted)
        if problem is not None:
            raise forms.ValidationError(f"This JSON cannot be stored: {problem}.", code="unstorable")
        return converted


class PlatformAdminConfig(AdminConfig):
    default_site = "marketing_platform.admin_site.PlatformAdminSite"

    def ready(self) -> None:
        # before the admin modules register (and copy these defaults into) their ModelAdmins
        options.FORMFIELD_FOR_DBFIELD_DEFAULTS[models.JSONField] = {"form_class": StorableJSONField}
        super().ready()
