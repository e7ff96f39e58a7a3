"""Messages reach the vector store after they are stored: embedded once, again only when their
text or the model changes; deleted with them; swept when missed; verified and rebuilt."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from conversations.embedding import LocalEmbedder, embedder
from conversations.models import Intent, Message
from conversations.services.messages import messages_delete
from conversations.services.recording import MessageRow, MessagesWritten, messages_record
from conversations.services.vectors import (
    message_vectors_sweep,
    messages_embed,
    text_digest,
    vector_store_ready,
)
from conversations.signals import message_intents_changed, messages_embedded
from conversations.vectors.port import VectorFilter, VectorRecord, VectorStore
from tests.conversations.conftest import People

pytestmark = [pytest.mark.vectors, pytest.mark.usefixtures("eager_tasks")]

SENT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PARCEL = "Where is my parcel? It still has not arrived."
REFUND = "I sent the jumper back two weeks ago and I am still waiting for my refund."


@pytest.fixture
def embedded_texts() -> Iterator[list[str]]:
    """The texts of every message embedded while the test runs, in order."""
    seen: list[str] = []

    def note(sender: Any, messages: list[Message], vectors: np.ndarray, **kwargs: Any) -> None:
        assert vectors.shape == (len(messages), embedder().dimension)
        seen.extend(message.text for message in messages)

    messages_embedded.connect(note, dispatch_uid="test-embedded-texts")
    yield seen
    messages_embedded.disconnect(dispatch_uid="test-embedded-texts")


Record = Callable[..., MessagesWritten]


@pytest.fixture
def record(people: People, django_capture_on_commit_callbacks: Any) -> Record:
    """Store messages of ada's as the API does, running what follows the commit."""

    def write(*texts: str, customer: int | None = None) -> MessagesWritten:
        sender = customer or people.ada.pk
        rows = [
            MessageRow(sender, "api", f"m-{sender}-{index}", text, "chat", SENT, None, "en")
            for index, text in enumerate(texts)
        ]
        with django_capture_on_commit_callbacks(execute=True):
            return messages_record(rows)

    return write


def nearest(store: VectorStore, text: str, **where: Any) -> list[int]:
    return [hit.message_id for hit in store.search(embedder().query(text), 10, VectorFilter(**where))]


def test_stored_messages_are_embedded_and_recorded_once_the_store_has_them(
    vectors: VectorStore, record: Record, embedded_texts: list[str]
) -> None:
    written = record(PARCEL, REFUND)

    assert sorted(vectors.ids()) == written.changed_ids
    parcel = Message.objects.get(text=PARCEL)
    assert (parcel.embedding_model, parcel.embedded_digest) == (embedder().model, text_digest(PARCEL))
    assert nearest(vectors, "my package has not been delivered")[0] == parcel.pk
    assert embedded_texts == [PARCEL, REFUND]


def test_a_resend_embeds_nothing_and_a_changed_text_only_its_message(
    vectors: VectorStore, record: Record, embedded_texts: list[str], people: People
) -> None:
    record(PARCEL, REFUND)
    embedded_texts.clear()

    record(PARCEL, REFUND)
    assert embedded_texts == []

    record(PARCEL, "Do you sell these candles in red?")
    assert embedded_texts == ["Do you sell these candles in red?"]
    changed = Message.objects.get(message_id=f"m-{people.ada.pk}-1")
    assert changed.embedded_digest == text_digest("Do you sell these candles in red?")
    assert vectors.count() == 2
    assert nearest(vectors, "red candles")[0] == changed.pk


def test_a_retried_batch_stores_the_same_vectors_again_or_skips_them(
    vectors: VectorStore, people: People, embedded_texts: list[str]
) -> None:
    written = messages_record([MessageRow(people.ada.pk, "api", "m-1", PARCEL, "chat", SENT, None, "")])

    first = messages_embed(ids=written.changed_ids * 2)
    again = messages_embed(ids=written.changed_ids)

    assert (first.embedded, again.embedded, again.skipped) == (1, 0, 1)
    assert list(vectors.ids()) == written.changed_ids
    assert embedded_texts == [PARCEL]


def test_deleted_messages_and_a_deleted_customers_messages_leave_the_store(
    vectors: VectorStore, record: Record, people: People, django_capture_on_commit_callbacks: Any
) -> None:
    ada = record(PARCEL, REFUND).changed_ids
    bob = record("Hello from Bob", customer=people.bob.pk).changed_ids
    assert sorted(vectors.ids()) == sorted(ada + bob)

    with django_capture_on_commit_callbacks(execute=True):
        messages_delete(ids=ada[:1])
    assert sorted(vectors.ids()) == sorted(ada[1:] + bob)

    with django_capture_on_commit_callbacks(execute=True):
        people.ada.delete()
    assert list(vectors.ids()) == bob


def test_the_sweep_embeds_what_was_missed_and_removes_vectors_of_deleted_messages(
    vectors: VectorStore, people: People, local_embedder: LocalEmbedder
) -> None:
    # given messages stored while no worker ran, and a vector whose message is gone
    texts = enumerate([PARCEL, REFUND])
    written = messages_record(
        [MessageRow(people.ada.pk, "api", f"m-{n}", text, "chat", SENT, None, "") for n, text in texts]
    )
    vectors.upsert([VectorRecord(999_999, local_embedder.query("gone"), people.ada.pk, SENT)])

    counts = message_vectors_sweep()

    assert (counts.embedded, counts.deleted) == (2, 1)
    assert sorted(vectors.ids()) == written.changed_ids
    assert message_vectors_sweep(limit=10).embedded == 0


def test_a_new_model_embeds_everything_again_in_bounded_sweeps(
    vectors: VectorStore, record: Record, settings: Any, server_url: str
) -> None:
    record(PARCEL, REFUND, "Do you sell these candles in red?")
    old_model = embedder().model

    settings.EMBEDDINGS = {**settings.EMBEDDINGS, "url": server_url, "model": "multilingual-e5-small-q4"}
    model, store = vector_store_ready()

    assert model.model != old_model
    assert store.count() == 0  # another model's vectors cannot be compared with this one's
    assert message_vectors_sweep(limit=2).embedded == 2
    assert message_vectors_sweep(limit=2).embedded == 1
    assert set(Message.objects.values_list("embedding_model", flat=True)) == {"multilingual-e5-small-q4"}
    assert store.count() == 3


def test_an_intent_given_on_embedding_or_later_is_in_the_vector(
    vectors: VectorStore, record: Record, django_capture_on_commit_callbacks: Any
) -> None:
    delivery = Intent.objects.create(name="Delivery", slug="delivery")
    refunds = Intent.objects.create(name="Refunds", slug="refunds")

    def classify(sender: Any, messages: list[Message], **kwargs: Any) -> None:  # as the classifier does
        Message.objects.filter(pk__in=[m.pk for m in messages], text=PARCEL).update(intent=delivery)

    messages_embedded.connect(classify, dispatch_uid="test-classify")
    try:
        record(PARCEL, REFUND)
    finally:
        messages_embedded.disconnect(dispatch_uid="test-classify")
    parcel, refund = Message.objects.get(text=PARCEL), Message.objects.get(text=REFUND)
    assert nearest(vectors, "refund", intent_id=delivery.pk) == [parcel.pk]

    with django_capture_on_commit_callbacks(execute=True):
        Message.objects.filter(pk=refund.pk).update(intent=refunds)
        message_intents_changed.send(Message, message_ids=[refund.pk])  # as a correction does

    assert nearest(vectors, "parcel", intent_id=refunds.pk) == [refund.pk]


def test_verify_names_the_drift_and_rebuild_mends_it(
    vectors: VectorStore, record: Record, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = record(PARCEL, REFUND).changed_ids
    call_command("vectors_verify")
    assert "matches PostgreSQL" in capsys.readouterr().out

    vectors.delete(ids[:1])
    vectors.upsert([VectorRecord(424_242, embedder().query("stray"), 1, SENT)])
    with pytest.raises(CommandError, match="differs from PostgreSQL"):
        call_command("vectors_verify")
    out = capsys.readouterr().out
    assert f"messages without a vector: 1 (ids {ids[0]})" in out
    assert "vectors without a message: 1 (ids 424242)" in out

    call_command("vectors_rebuild")
    assert "Embedded 1 messages" in capsys.readouterr().out
    assert sorted(vectors.ids()) == ids
    call_command("vectors_verify")


def test_rebuild_with_re_embed_embeds_every_message_again(
    vectors: VectorStore, record: Record, embedded_texts: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    record(PARCEL, REFUND)
    embedded_texts.clear()

    call_command("vectors_rebuild", "--re-embed")

    assert sorted(embedded_texts) == sorted([PARCEL, REFUND])
    assert "2 / 2 messages" in capsys.readouterr().out
