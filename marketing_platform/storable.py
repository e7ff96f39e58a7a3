"""What PostgreSQL can store of a JSON value: no NUL character (text and jsonb refuse it), no
lone surrogate (UTF-8 cannot encode half of a UTF-16 pair, which JSON's ``\\ud800``-``\\udfff``
escapes decode to), and no deeper nesting than any real document needs (Python's decoder and
encoder recurse). The API's parser and fields and the admin's JSON fields all ask here."""

from __future__ import annotations

import re
from typing import Any

MAX_DEPTH = 32
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
NUL = "text contains a NUL (\\u0000) character, which cannot be stored"
SURROGATE = (
    "text contains a lone surrogate escape (\\ud800-\\udfff) that is not part of a pair; "
    "it is not a character and cannot be stored"
)
TOO_DEEP = f"objects and arrays are nested deeper than {MAX_DEPTH} levels"


def json_problem(value: Any, *, allow_nul: bool = False) -> str | None:
    """Why ``value`` (decoded JSON: keys and values at any depth) cannot be stored, or None;
    NUL characters aside with ``allow_nul`` (for a caller that leaves them to another check)."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if "\x00" in item and not allow_nul:
                return NUL
            if LONE_SURROGATE.search(item):
                return SURROGATE
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                return TOO_DEEP
            children = [*item, *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return None
