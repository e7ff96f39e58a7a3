"""Reads by meaning: the messages nearest a query, and the customers who talk about something.

The query is embedded by the same model as the stored messages, the vector store answers the
nearest ids, PostgreSQL the messages. Raises ``EmbeddingsUnavailable`` or
``VectorStoreUnavailable`` when either is down; nothing else depends on them.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from conversations.models import Message
from conversations.services.vectors import vector_store_ready
from conversations.talking import phrase_cached
from conversations.vectors.port import VectorFilter, VectorHit
from marketing_platform.bulk import LOOKUP_CHUNK, chunked

# How many nearest messages "customers who talk about X" weighs: a segment reads the messages
# above its bar, at most these, so a theme more than this many messages share is cut at this many.
TALKERS_TOP_K = 10_000


class MessageMatch(NamedTuple):
    message: Message
    score: float  # cosine similarity to the query, 1.0 at best


def messages_search(
    *,
    text: str,
    k: int = 10,
    customer_id: int | None = None,
    intent_id: int | None = None,
    since: datetime | None = None,
) -> list[MessageMatch]:
    """The ``k`` messages nearest ``text`` in meaning, best first, among those of the customer,
    with the intent and sent since the moment given."""
    where = VectorFilter(
        customer_ids=None if customer_id is None else [customer_id], intent_id=intent_id, since=since
    )
    hits = _nearest(text, k, where)
    messages = Message.objects.select_related("customer", "intent").in_bulk([hit.message_id for hit in hits])
    # a message deleted since its vector was read is left out
    return [MessageMatch(messages[hit.message_id], hit.score) for hit in hits if hit.message_id in messages]


def customers_talking_about(text: str, *, z: float, since: datetime | None = None) -> set[int]:
    """The ids of customers with a message about ``text`` (sent since ``since``): at least ``z``
    standard deviations more similar to it than ordinary messages are (``conversations.talking``),
    among the ``TALKERS_TOP_K`` nearest messages; for segments."""
    model, store = vector_store_ready()
    phrase = phrase_cached(text, model)
    hits = store.search(phrase.vector, TALKERS_TOP_K, VectorFilter(since=since, min_score=phrase.floor(z)))
    near = [hit.message_id for hit in hits]
    return {
        customer_id
        for chunk in chunked(near, LOOKUP_CHUNK)
        for customer_id in Message.objects.filter(pk__in=chunk).values_list("customer_id", flat=True)
    }


def _nearest(text: str, k: int, where: VectorFilter) -> list[VectorHit]:
    model, store = vector_store_ready()
    return store.search(model.query(text), k, where)
