"""Language tags of messages: BCP 47, checked against the IANA registry (langcodes)."""

from __future__ import annotations

import langcodes
from django.core.exceptions import ValidationError


def language_tag(text: str) -> str:
    """The tag in its standard form (``EN-gb`` → ``en-GB``); raises ``ValidationError``
    (code ``invalid_language``) for what is not a registered BCP 47 tag."""
    if not langcodes.tag_is_valid(text):
        raise ValidationError(
            f"{text!r} is not a BCP 47 language tag (e.g. en, de-CH).", code="invalid_language"
        )
    return str(langcodes.standardize_tag(text))
