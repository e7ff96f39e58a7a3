"""Stored JSON (interest evidence, model data, event metadata) as people read it: labelled lines,
lists and tables instead of braces and quotes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import is_aware, localtime

NOTHING = "-"


def label(key: object) -> str:
    """``last_purchase`` → ``Last purchase``."""
    words = str(key).replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else NOTHING


def readable_value(value: Any) -> str:
    """One stored scalar as text: yes/no, whole numbers with separators, short fractions,
    ISO moments as dates."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    moment = _moment(value)
    if moment is None:
        return str(value)
    return date_format(localtime(moment) if is_aware(moment) else moment, "j M Y, H:i")


def readable(value: Any) -> SafeString:
    """Any stored JSON as HTML: a mapping as labelled lines, a list of mappings as a table, a
    list of plain values as one comma-separated line; nesting shown inside."""
    if isinstance(value, Mapping):
        if not value:
            return format_html("{}", NOTHING)
        return format_html(
            '<dl class="readable">{}</dl>',
            format_html_join(
                "", "<div><dt>{}:</dt> <dd>{}</dd></div>", ((label(k), readable(v)) for k, v in value.items())
            ),
        )
    if isinstance(value, list):
        return _list(value)
    return format_html("{}", readable_value(value))


def _list(values: list[Any]) -> SafeString:
    if not values:
        return format_html("{}", NOTHING)
    if all(isinstance(item, Mapping) for item in values):
        columns = list(dict.fromkeys(key for item in values for key in item))
        return format_html(
            '<table class="readable"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
            format_html_join("", "<th>{}</th>", ((label(column),) for column in columns)),
            format_html_join(
                "",
                "<tr>{}</tr>",
                (
                    (format_html_join("", "<td>{}</td>", ((readable(item.get(c)),) for c in columns)),)
                    for item in values
                ),
            ),
        )
    return format_html_join(", ", "{}", ((readable(item),) for item in values))


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value) < 19 or value[4:5] != "-" or value[10:11] not in "T ":
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
