"""Idempotent bulk inserts keyed by a natural ``(source, external_id)`` key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Protocol, TypeVar

from django.db import models

# Stays below SQLite's and PostgreSQL's limits on bound parameters per statement.
LOOKUP_CHUNK = 900


class SourceKeyed(Protocol):
    source: str
    external_id: str


M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class WriteCounts:
    created: int = 0
    duplicate: int = 0

    def __add__(self, other: WriteCounts) -> WriteCounts:
        return WriteCounts(self.created + other.created, self.duplicate + other.duplicate)


T = TypeVar("T")


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_missing(model: type[M], objects: Sequence[M]) -> tuple[WriteCounts, list[M]]:
    """Insert the objects whose ``(source, external_id)`` is not stored yet.

    Duplicates within ``objects`` and against the table are counted, not stored.
    ``ignore_conflicts`` covers a concurrent writer racing us to the same key, so
    the unique constraint, not this pre-check, is what guarantees idempotency.
    Returns the counts and the objects that were inserted.
    """
    unique: dict[tuple[str, str], M] = {}
    for obj in objects:
        keyed: SourceKeyed = obj  # type: ignore[assignment]
        unique.setdefault((keyed.source, keyed.external_id), obj)
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, external_id in unique:
        by_source[source].append(external_id)
    stored: set[tuple[str, str]] = set()
    for source, external_ids in by_source.items():
        for chunk in chunked(external_ids, LOOKUP_CHUNK):
            stored.update(
                model._default_manager.filter(source=source, external_id__in=chunk).values_list(
                    "source", "external_id"
                )
            )
    new = [obj for key, obj in unique.items() if key not in stored]
    model._default_manager.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    return WriteCounts(created=len(new), duplicate=len(objects) - len(new)), new


def ids_by(model: type[M], field: str, keys: Sequence[str]) -> dict[str, int]:
    """Map each stored value of the unique ``field`` among ``keys`` to its primary key."""
    found: dict[str, int] = {}
    for chunk in chunked(list(dict.fromkeys(keys)), LOOKUP_CHUNK):
        found.update(
            model._default_manager.filter(**{f"{field}__in": chunk}).values_list(field, "pk")
        )
    return found


def create_missing_by(
    model: type[M], field: str, objects: Sequence[M]
) -> tuple[WriteCounts, dict[str, int]]:
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
