"""Examples of the email endpoint in the API docs."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

EMAIL_EXAMPLES = [
    OpenApiExample(
        "The built-in email",
        summary="The recommendations email every installation has",
        request_only=True,
        value={},
    ),
    OpenApiExample(
        "A template",
        summary="A template of the admin's designer, by id (customer-facing ones for customers and keys)",
        request_only=True,
        value={"template": 3},
    ),
]
