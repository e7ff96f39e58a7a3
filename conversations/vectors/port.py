"""The one way into the message vectors: what a vector store does, whatever runs it.

PostgreSQL holds the messages; the store holds one embedding per message, keyed by the
message's primary key, with the few fields a search filters on. It can be emptied and
rebuilt from PostgreSQL at any time, so it is never the only copy of anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

Vector = Sequence[float] | npt.NDArray[np.floating[Any]]


class VectorStoreUnavailable(Exception):
    """The vector store cannot be reached or opened; the message says why and what to do.

    Callers degrade on it (a search answers 503, an embedding task retries later)."""


@dataclass(frozen=True)
class VectorRecord:
    """One message's embedding and the fields a search filters on."""

    message_id: int
    vector: Vector
    customer_id: int
    sent_at: datetime
    intent_id: int | None = None


@dataclass(frozen=True)
class VectorFilter:
    """Which messages a search looks among: all of these conditions, None being no condition."""

    customer_ids: Sequence[int] | None = None  # sent by one of these customers
    intent_id: int | None = None  # classified with this intent
    since: datetime | None = None  # sent at or after this moment
    min_score: float | None = None  # at least this similar to the query (a search's condition only)


EVERYTHING = VectorFilter()


class VectorHit(NamedTuple):
    message_id: int
    score: float  # cosine similarity, 1.0 for the same direction


class VectorStore(Protocol):
    name: str

    def ensure_collection(self, *, dimension: int, model: str) -> bool:
        """Make the store hold vectors of ``model`` (``dimension`` floats each).

        A store that held another model's vectors, or another dimension, is emptied: vectors
        of two models cannot be compared. True when the collection was created or emptied
        (everything must be embedded again), False when it already fitted."""

    def upsert(self, records: Iterable[VectorRecord]) -> int:
        """Insert or replace by message id (the last record of an id wins); how many were sent."""

    def delete(self, message_ids: Iterable[int]) -> None:
        """Remove these messages' vectors; ids not stored are ignored."""

    def search(self, vector: Vector, k: int, where: VectorFilter = EVERYTHING) -> list[VectorHit]:
        """The ``k`` stored vectors nearest ``vector`` by cosine, best first, among those
        ``where`` admits."""

    def count(self) -> int:
        """How many vectors are stored."""

    def ids(self) -> Iterator[int]:
        """Every stored message id, in batches from the store (for verify and rebuild)."""

    def close(self) -> None: ...
