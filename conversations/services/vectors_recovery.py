"""The vector store against PostgreSQL, like the graph's: verify (which ids differ) and rebuild
(make every message's vector current, removing the others)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from conversations.models import Message
from conversations.selectors import messages_to_embed
from conversations.services.vectors import EmbedCounts, messages_embed, vector_store_ready
from marketing_platform.bulk import LOOKUP_CHUNK, chunked

Progress = Callable[[int, int], None]  # (messages done, messages to do)
PROGRESS_EVERY = 1000


@dataclass
class VectorsReport:
    store: str
    model: str
    messages: int  # in PostgreSQL
    vectors: int  # in the store
    missing: list[int] = field(default_factory=list)  # messages without a vector
    extra: list[int] = field(default_factory=list)  # vectors without a message
    pending: int = 0  # messages not yet embedded by the current model (the workers' backlog)

    @property
    def drifted(self) -> bool:
        return bool(self.missing or self.extra)


def message_vectors_verify() -> VectorsReport:
    """Which messages lack a vector in the store, and which vectors lack a message."""
    model, store = vector_store_ready()
    stored = set(store.ids())
    expected = set(Message.objects.values_list("pk", flat=True))
    return VectorsReport(
        store=store.name,
        model=model.model,
        messages=len(expected),
        vectors=len(stored),
        missing=sorted(expected - stored),
        extra=sorted(stored - expected),
        pending=messages_to_embed(model=model.model).count(),
    )


def message_vectors_rebuild(*, re_embed: bool = False, progress: Progress | None = None) -> EmbedCounts:
    """Give every message a current vector and drop the vectors of messages that are gone.

    Only messages without a current vector are embedded (those the store lost included), unless
    ``re_embed``: then all of them, each batch replacing its vectors, so search keeps working."""
    model, store = vector_store_ready()
    report = message_vectors_verify()
    for chunk in chunked(report.missing, LOOKUP_CHUNK):  # recorded as embedded, but the store lost them
        Message.objects.filter(pk__in=chunk).update(embedding_model="", embedded_digest="")
    if report.extra:
        store.delete(report.extra)
    todo = Message.objects.all() if re_embed else messages_to_embed(model=model.model)
    ids = list(todo.order_by("pk").values_list("pk", flat=True))
    counts = EmbedCounts(deleted=len(report.extra))
    for done, chunk in enumerate(chunked(ids, PROGRESS_EVERY)):
        counts.add(messages_embed(ids=chunk, force=re_embed))
        if progress is not None:
            progress(min((done + 1) * PROGRESS_EVERY, len(ids)), len(ids))
    return counts
