"""Idempotent bulk inserts keyed by a natural ``(source, external_id)`` key.

On PostgreSQL rows are streamed with ``COPY`` into a staging table and moved
with ``INSERT … ON CONFLICT DO NOTHING RETURNING``: one round trip per batch,
and the unique constraint itself decides what is new, so the counts stay exact
when two writers race to the same key. Other databases take the portable path:
look the keys up, then ``bulk_create`` what is missing.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any, NamedTuple, TypeVar

from django.db import connection, models, transaction
from django.utils import timezone

from marketing_platform.models import SourceKeyedModel

# Stays below SQLite's and PostgreSQL's limits on bound parameters per statement.
LOOKUP_CHUNK = 900
KEY_FIELDS = ("source", "external_id")

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)
R = TypeVar("R", bound=NamedTuple)


@dataclass(frozen=True)
class WriteCounts:
    created: int = 0
    duplicate: int = 0

    def __add__(self, other: WriteCounts) -> WriteCounts:
        return WriteCounts(self.created + other.created, self.duplicate + other.duplicate)


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_missing(model: type[SourceKeyedModel], rows: Sequence[R]) -> tuple[WriteCounts, list[R]]:
    """Insert the rows whose ``(source, external_id)`` is not stored yet.

    ``rows`` are named tuples whose field names are the model's column
    attributes (``customer_id``, not ``customer``); ``auto_now``/``auto_now_add``
    fields are filled in here. Duplicates within ``rows`` and against the table
    are counted, not stored. Returns the counts and the rows that were inserted.
    """
    if not rows:
        return WriteCounts(), []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            inserted = _copy_insert(model, rows)
        else:
            inserted = _lookup_insert(model, rows)
    return WriteCounts(created=len(inserted), duplicate=len(rows) - len(inserted)), inserted


def _stamped_fields(model: type[models.Model]) -> list[str]:
    return [
        field.attname
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_NULL = "\\N"  # so that an empty string stays an empty string


def _escaped(text: str) -> str:
    return text.translate(_COPY_ESCAPES)


def _json(value: Any) -> str:
    return _escaped(json.dumps(value))


def _datetime(value: datetime) -> str:
    return value.isoformat()


def _copy_converter(field: models.Field[Any, Any]) -> Callable[[Any], str]:
    """How one column's values are written in COPY's text format, chosen once per column."""
    if isinstance(field, models.JSONField):
        convert: Callable[[Any], str] = _json
    elif isinstance(field, models.DateTimeField):
        convert = _datetime
    elif isinstance(field, models.IntegerField | models.DecimalField | models.ForeignKey):
        convert = str
    else:
        convert = _escaped
    if not field.null:
        return convert
    return lambda value: COPY_NULL if value is None else convert(value)


def _call(convert: Callable[[Any], str], value: Any) -> str:
    return convert(value)


def _copy_insert(model: type[SourceKeyedModel], rows: Sequence[R]) -> list[R]:
    table = model._meta.db_table
    columns = [*rows[0]._fields, *_stamped_fields(model)]
    now = timezone.now().isoformat()
    stamps = [now] * (len(columns) - len(rows[0]._fields))
    fields = {field.attname: field for field in model._meta.concrete_fields}
    converters = [_copy_converter(fields[name]) for name in rows[0]._fields]
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join([*map(_call, converters, row), *stamps]))
        buffer.write("\n")
    buffer.seek(0)
    column_list = ", ".join(connection.ops.quote_name(name) for name in columns)
    stage = connection.ops.quote_name(f"stage_{table}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "  # noqa: S608 - names, not input
            f"SELECT {column_list} FROM {connection.ops.quote_name(table)} WITH NO DATA"
        )
        cursor.copy_expert(f"COPY {stage} ({column_list}) FROM STDIN", buffer)
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(table)} ({column_list}) "  # noqa: S608
            f"SELECT {column_list} FROM {stage} ON CONFLICT (source, external_id) DO NOTHING "
            "RETURNING source, external_id"
        )
        created = set(cursor.fetchall())
        cursor.execute(f"DROP TABLE {stage}")
    return _first_of_each(rows, created)


def _first_of_each(rows: Sequence[R], keys: set[tuple[str, str]]) -> list[R]:
    picked: list[R] = []
    for row in rows:
        key = (row.source, row.external_id)  # type: ignore[attr-defined]
        if key in keys:
            picked.append(row)
            keys.discard(key)
    return picked


def _lookup_insert(model: type[SourceKeyedModel], rows: Sequence[R]) -> list[R]:
    unique: dict[tuple[str, str], R] = {}
    for row in rows:
        unique.setdefault((row.source, row.external_id), row)  # type: ignore[attr-defined]
    stored: set[tuple[str, str]] = set()
    for source in {source for source, _ in unique}:
        ids = [external_id for row_source, external_id in unique if row_source == source]
        for chunk in chunked(ids, LOOKUP_CHUNK):
            stored.update(
                model._default_manager.filter(source=source, external_id__in=chunk).values_list(*KEY_FIELDS)
            )
    new = [row for key, row in unique.items() if key not in stored]
    model._default_manager.bulk_create(
        [model(**row._asdict()) for row in new], batch_size=2000, ignore_conflicts=True
    )
    return new


def conflicting_keys(
    model: type[SourceKeyedModel], rows: Sequence[R], fields: Sequence[str]
) -> set[tuple[str, str]]:
    """Keys that ``rows`` use for something else than what is stored, or than another row says.

    A natural key names one record: resending it with other ``fields`` is a
    client bug that must not pass as a harmless duplicate.
    """
    wanted: dict[tuple[str, str], tuple[Any, ...]] = {}
    conflicts: set[tuple[str, str]] = set()
    for row in rows:
        key = (row.source, row.external_id)  # type: ignore[attr-defined]
        values = tuple(getattr(row, name) for name in fields)
        if wanted.setdefault(key, values) != values:
            conflicts.add(key)
    for source in {source for source, _ in wanted}:
        ids = [external_id for key_source, external_id in wanted if key_source == source]
        for chunk in chunked(ids, LOOKUP_CHUNK):
            stored = model._default_manager.filter(source=source, external_id__in=chunk)
            for external_id, *values in stored.values_list("external_id", *fields):
                if wanted[(source, external_id)] != tuple(values):
                    conflicts.add((source, external_id))
    return conflicts


def ids_by(model: type[M], field: str, keys: Sequence[str]) -> dict[str, int]:
    """Map each stored value of the unique ``field`` among ``keys`` to its primary key."""
    found: dict[str, int] = {}
    for chunk in chunked(list(dict.fromkeys(keys)), LOOKUP_CHUNK):
        found.update(model._default_manager.filter(**{f"{field}__in": chunk}).values_list(field, "pk"))
    return found


def create_missing_by(model: type[M], field: str, objects: Sequence[M]) -> tuple[WriteCounts, dict[str, int]]:
    """Create the objects whose unique ``field`` is not stored yet; never touch stored ones.

    Returns the counts and the ``field`` → primary key map of all given objects.
    """
    unique = {getattr(obj, field): obj for obj in reversed(objects)}
    stored = ids_by(model, field, list(unique))
    new = [obj for key, obj in unique.items() if key not in stored]
    model._default_manager.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    return (
        WriteCounts(created=len(new), duplicate=len(objects) - len(new)),
        ids_by(model, field, list(unique)),
    )
