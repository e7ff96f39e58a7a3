"""The API's one JSON parser: DRF's, bounded to what the interpreter and the database can hold."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32
# Half of a UTF-16 surrogate pair: JSON's \ud800-\udfff escapes decode to it, UTF-8 cannot encode it.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
TOO_DEEP = f"JSON parse error - objects and arrays are nested deeper than {MAX_DEPTH} levels."
SURROGATE = (
    "JSON parse error - text contains a lone surrogate escape (\\ud800-\\udfff) that is not "
    "part of a pair; it is not a character and cannot be stored."
)


class BoundedJSONParser(JSONParser):
    """Refuses, as a 400 parse error, JSON nested deeper than ``MAX_DEPTH`` (the decoder would
    otherwise exhaust the stack) and lone surrogates in any key or value (PostgreSQL refuses them)."""

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(TOO_DEEP) from exc
        _check(data)
        return data


def _check(data: Any) -> None:
    pending: list[tuple[Any, int]] = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if LONE_SURROGATE.search(value):
                raise ParseError(SURROGATE)
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise ParseError(TOO_DEEP)
            children = [*value, *value.values()] if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
