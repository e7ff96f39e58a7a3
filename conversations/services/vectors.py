"""Messages into the vector store: embedded in batches on the ``embeddings`` queue, kept there
while they exist, and swept for whatever is missing or stale.

Each row records what its stored vector is: ``embedding_model`` (the embedder's model) and
``embedded_digest`` (a hash of the text embedded). They are written only after the store holds
the vector, so a row that says "embedded" always is; a message whose model and digest match is
not embedded again, and a retried batch re-upserts the same ids, which is harmless.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np
from celery import Task
from django.conf import settings
from django.db import transaction

from conversations.embedding import Embedder, embedder
from conversations.models import Message
from conversations.selectors import messages_to_embed
from conversations.vectors import get_vector_store
from conversations.vectors.port import VectorRecord, VectorStore
from marketing_platform.bulk import LOOKUP_CHUNK, chunked
from marketing_platform.transactions import after_commit

logger = logging.getLogger(__name__)
FIELDS = ("id", "text", "customer_id", "intent_id", "sent_at", "embedding_model", "embedded_digest")
# True while a batch just embedded is announced (``messages_embedded``): what its receivers
# change, the embedding task follows itself.
_announcing_embedded: ContextVar[bool] = ContextVar("announcing_embedded", default=False)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class EmbedCounts:
    embedded: int = 0  # vectors stored and recorded
    skipped: int = 0  # already embedded by this model, as they read now
    superseded: int = 0  # deleted, or their text changed, while they were embedded
    deleted: int = 0  # vectors removed for messages that no longer exist

    def add(self, other: EmbedCounts) -> None:
        self.embedded += other.embedded
        self.skipped += other.skipped
        self.superseded += other.superseded
        self.deleted += other.deleted


def vector_store_ready() -> tuple[Embedder, VectorStore]:
    """The embedder and the store, holding a collection for the embedder's model. A collection
    just made (first use, a new model, a store emptied behind our back) holds nothing, so the
    rows that said otherwise are marked to be embedded again."""
    model = embedder()
    store = get_vector_store()
    if store.ensure_collection(dimension=model.dimension, model=model.model):
        stale = Message.objects.filter(embedding_model=model.model)
        reset = stale.update(embedding_model="", embedded_digest="")
        if reset:
            logger.warning(
                "Vector store collection for %s was new: %s messages to embed again", model.model, reset
            )
    return model, store


def messages_embed(*, ids: Iterable[int], force: bool = False) -> EmbedCounts:
    """Embed these messages in batches of ``MESSAGES_EMBED_BATCH`` and store their vectors; with
    ``force``, also those already embedded by this model (to rewrite their filter fields)."""
    model, store = vector_store_ready()
    counts = EmbedCounts()
    for batch in chunked(sorted(set(ids)), settings.MESSAGES_EMBED_BATCH):
        counts.add(_embed_batch(batch, model, store, force=force))
    return counts


def message_vectors_sweep(*, limit: int | None = None) -> EmbedCounts:
    """What the periodic sweep does: embed up to ``limit`` messages that lack a vector by the
    current model (new, changed, another model's, missed while the store was down), and remove
    the vectors of messages that no longer exist."""
    model, store = vector_store_ready()
    limit = settings.MESSAGES_EMBED_SWEEP_LIMIT if limit is None else limit
    missing = list(messages_to_embed(model=model.model).values_list("pk", flat=True)[:limit])
    counts = messages_embed(ids=missing)
    counts.deleted += message_vectors_prune(store)
    return counts


def message_vectors_prune(store: VectorStore) -> int:
    """Delete the stored vectors of messages PostgreSQL no longer has; how many there were."""
    orphans: list[int] = []
    for chunk in chunked(list(store.ids()), LOOKUP_CHUNK):
        existing = set(Message.objects.filter(pk__in=chunk).values_list("pk", flat=True))
        orphans += [pk for pk in chunk if pk not in existing]
    if orphans:
        store.delete(orphans)
    return len(orphans)


def message_vectors_delete(*, ids: Sequence[int]) -> None:
    """Remove these (deleted) messages' vectors; ids never stored are ignored."""
    if ids:
        _, store = vector_store_ready()
        store.delete(ids)


def messages_embed_after_commit(ids: Sequence[int]) -> None:
    """Queue the embedding of these (new or changed) messages once the transaction commits, one
    task per batch; a publish that fails is caught up by the sweep."""
    from conversations.tasks import embed_messages

    if ids:
        after_commit(_queue, embed_messages, sorted(set(ids)))


def message_vectors_refresh_after_commit(ids: Sequence[int]) -> None:
    """These messages' intents changed: once committed, their vectors are stored again with the
    new intent (a search filters on it). Not when the change comes from the receivers of a batch
    just embedded: the embedding task stores the intents it sees after them by itself."""
    from conversations.tasks import refresh_message_vectors

    if ids and not _announcing_embedded.get():
        after_commit(_queue, refresh_message_vectors, sorted(set(ids)))


def message_vectors_forget_after_commit(ids: Iterable[int]) -> None:
    """Remove these deleted messages' vectors once the transaction commits: one task a batch for
    the whole transaction (a customer's deletion deletes all its messages), retried; the sweep
    removes what a lost task left."""
    connection = transaction.get_connection()
    waiting = (
        callback
        for _, callback, _ in connection.run_on_commit
        if isinstance(callback, _Forget) and not callback.called
    )
    pending = next(waiting, None)
    if pending is None:
        pending = _Forget()
        pending.ids.update(ids)
        transaction.on_commit(pending)
    else:
        pending.ids.update(ids)


class _Forget:
    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.called = False

    def __call__(self) -> None:
        from conversations.tasks import forget_message_vectors

        self.called = True
        try:
            _queue(forget_message_vectors, sorted(self.ids))
        except Exception:
            logger.exception("After commit: queueing the deletion of message vectors failed; the sweep will")


def _queue(task: Task, ids: list[int]) -> None:
    for batch in chunked(ids, settings.MESSAGES_EMBED_BATCH):
        task.delay(batch)


def _embed_batch(ids: Sequence[int], model: Embedder, store: VectorStore, *, force: bool) -> EmbedCounts:
    messages = list(Message.objects.filter(pk__in=ids).only(*FIELDS).order_by("pk"))
    todo = [message for message in messages if force or not _is_current(message, model.model)]
    counts = EmbedCounts(skipped=len(messages) - len(todo))
    if not todo:
        return counts
    vectors = model.passages([message.text for message in todo])
    store.upsert(_record(message, vector) for message, vector in zip(todo, vectors, strict=True))
    kept, gone = _record_embedded(todo, model.model)
    if gone:  # deleted while embedded: its delete may have reached the store before this upsert
        store.delete(gone)
    counts.embedded, counts.superseded = len(kept), len(todo) - len(kept)
    if kept:
        from conversations.signals import messages_embedded  # its receivers import these services

        at = {message.pk: index for index, message in enumerate(todo)}
        embedded = vectors[[at[message.pk] for message in kept]]
        announcing = _announcing_embedded.set(True)
        try:
            messages_embedded.send(sender=Message, messages=kept, vectors=embedded, model=model.model)
        finally:
            _announcing_embedded.reset(announcing)
        _follow_intents(kept, embedded, store)
    return counts


def _is_current(message: Message, model: str) -> bool:
    return message.embedding_model == model and message.embedded_digest == text_digest(message.text)


def _record(message: Message, vector: np.ndarray) -> VectorRecord:
    return VectorRecord(
        message_id=message.pk,
        vector=vector,
        customer_id=message.customer_id,
        intent_id=message.intent_id,
        sent_at=message.sent_at,
    )


@transaction.atomic
def _record_embedded(embedded: Sequence[Message], model: str) -> tuple[list[Message], list[int]]:
    """Note the model and digest on the rows whose text is still the one embedded (locked in id
    order, as ``messages_record`` locks them). A row whose text changed meanwhile is marked to
    embed again: the vector just stored may have overwritten that of its new text. Returns the
    messages recorded and the ids no longer stored."""
    texts = dict(
        Message.objects.select_for_update()
        .filter(pk__in=[message.pk for message in embedded])
        .order_by("pk")
        .values_list("pk", "text")
    )
    kept = [message for message in embedded if texts.get(message.pk) == message.text]
    changed = [
        message.pk for message in embedded if message.pk in texts and texts[message.pk] != message.text
    ]
    for message in kept:
        message.embedding_model, message.embedded_digest = model, text_digest(message.text)
    Message.objects.bulk_update(kept, ["embedding_model", "embedded_digest"], batch_size=1000)
    Message.objects.filter(pk__in=changed).update(embedding_model="", embedded_digest="")
    return kept, [message.pk for message in embedded if message.pk not in texts]


def _follow_intents(messages: Sequence[Message], vectors: np.ndarray, store: VectorStore) -> None:
    """Re-upsert the vectors of messages whose intent changed since they were read (a receiver of
    ``messages_embedded`` classifies them), so a search by intent finds them."""
    intents = dict(Message.objects.filter(pk__in=[m.pk for m in messages]).values_list("pk", "intent_id"))
    moved = [
        (message, vector)
        for message, vector in zip(messages, vectors, strict=True)
        if message.pk in intents and intents[message.pk] != message.intent_id
    ]
    for message, _ in moved:
        message.intent_id = intents[message.pk]
    if moved:
        store.upsert(_record(message, vector) for message, vector in moved)
