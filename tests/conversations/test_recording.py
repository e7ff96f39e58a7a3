"""The one write of messages: idempotent by (source, message_id), refusing rows, not batches."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from conversations.models import Message
from conversations.selectors import messages_to_embed
from conversations.services.recording import MessageRow, messages_record
from tests.conversations.conftest import People

SENT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def row(customer_id: int, message_id: str, text: str = "Where is my order?", **changes: Any) -> MessageRow:
    return MessageRow(customer_id, "api", message_id, text, "chat", SENT, None, "en")._replace(**changes)


def test_a_resend_stores_nothing_and_a_changed_text_updates_its_row(people: People) -> None:
    # given
    first = messages_record([row(people.ada.pk, "m1"), row(people.ada.pk, "m2")])
    Message.objects.update(embedding_model="e5-small", embedded_digest="abc")
    # when
    resent = messages_record([row(people.ada.pk, "m1"), row(people.ada.pk, "m2")])
    edited = messages_record([row(people.ada.pk, "m1", "Where is my parcel?"), row(people.ada.pk, "m2")])
    # then
    assert (first.created, len(first.changed_ids)) == (2, 2)
    assert (resent.created, resent.updated, resent.unchanged, resent.changed_ids) == (0, 0, 2, [])
    assert (edited.created, edited.updated, edited.unchanged) == (0, 1, 1)
    assert Message.objects.count() == 2
    m1 = Message.objects.get(message_id="m1")
    assert edited.changed_ids == [m1.pk]
    assert (m1.text, m1.embedding_model, m1.embedded_digest) == ("Where is my parcel?", "", "")
    assert Message.objects.get(message_id="m2").embedding_model == "e5-small"


def test_other_content_than_text_updates_the_row_but_needs_no_new_embedding(people: People) -> None:
    messages_record([row(people.ada.pk, "m1")])

    written = messages_record([row(people.ada.pk, "m1", channel="email", language="en-GB")])

    assert (written.updated, written.changed_ids) == (1, [])
    assert Message.objects.get().channel == "email"


def test_bad_rows_are_refused_with_reasons_and_the_good_ones_stored(people: People) -> None:
    messages_record([row(people.bob.pk, "taken")])

    written = messages_record([
        row(people.ada.pk, "ok"),
        row(people.ada.pk, "taken"),  # another customer's message id
        row(people.ada.pk, "c", campaign_id=999_999),
        row(people.ada.pk, "ok", "Something else"),  # the batch's own id, other content
        row(people.ada.pk, "ok"),  # the same again: harmless
    ])  # fmt: skip

    assert {index: refusal.code for index, refusal in written.refused.items()} == {
        1: "key_reused", 2: "unknown_campaign", 3: "duplicate"
    }  # fmt: skip
    assert (written.created, written.unchanged) == (1, 1)
    assert Message.objects.get(message_id="taken").customer == people.bob
    assert Message.objects.filter(customer=people.ada).count() == 1


def test_a_key_is_per_source(people: People) -> None:
    written = messages_record([row(people.ada.pk, "1"), row(people.ada.pk, "1", source="csv")])

    assert written.created == 2


def test_messages_to_embed_are_those_without_a_vector_of_the_model_for_their_text(people: People) -> None:
    messages_record([row(people.ada.pk, name) for name in ("new", "old-model", "done", "edited")])
    Message.objects.filter(message_id="old-model").update(embedding_model="e5-base")
    Message.objects.filter(message_id__in=["done", "edited"]).update(embedding_model="e5-small")
    messages_record([row(people.ada.pk, "edited", "A new text")])

    todo = messages_to_embed(model="e5-small")

    assert list(todo.values_list("message_id", flat=True)) == ["new", "old-model", "edited"]


def test_a_row_repeated_in_the_batch_shares_the_fate_of_the_first(people: People) -> None:
    messages_record([row(people.bob.pk, "taken")])

    written = messages_record([row(people.ada.pk, "taken"), row(people.ada.pk, "taken")])

    assert [refusal.code for refusal in written.refused.values()] == ["key_reused", "key_reused"]
    assert (written.created, written.unchanged) == (0, 0)
