"""The API's one JSON parser: DRF's, bounded to what the interpreter and the database can hold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from marketing_platform.storable import TOO_DEEP, json_problem


class BoundedJSONParser(JSONParser):
    """Refuses, as a 400 parse error, JSON nested deeper than ``MAX_DEPTH`` (the decoder would
    otherwise exhaust the stack) and lone surrogates in any key or value (PostgreSQL refuses
    them). A NUL is left to the field that holds it, so the error can name that field."""

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(f"JSON parse error - {TOO_DEEP}.") from exc
        problem = json_problem(data, allow_nul=True)
        if problem is not None:
            raise ParseError(f"JSON parse error - {problem}.")
        return data
