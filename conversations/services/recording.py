"""Storing messages idempotently by ``(source, message_id)``: the one write every way in uses
(the API, the CSV importer, inbound email)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone

from analytics.services.changes import aggregate_changes_record
from campaigns.models import Campaign
from conversations.models import Message
from conversations.services.vectors import messages_embed_after_commit
from customers.services.activity import interests_refresh_later
from graph.models import GraphEntity
from graph.services.sync import graph_changes_record
from marketing_platform.api.errors import WriteConflict
from marketing_platform.bulk import LOOKUP_CHUNK, chunked

Key = tuple[str, str]


class MessageRow(NamedTuple):
    """One message as the services take it (field names are the table's columns)."""

    customer_id: int
    source: str
    message_id: str
    text: str
    channel: str
    sent_at: datetime
    campaign_id: int | None
    language: str

    @property
    def key(self) -> Key:
        return (self.source, self.message_id)


# What a resend may change; the customer is the key's owner, not content.
CONTENT = ("text", "channel", "sent_at", "campaign_id", "language")


class Refusal(NamedTuple):
    field: str
    code: str
    message: str


@dataclass
class MessagesWritten:
    """What storing a batch did. ``changed_ids``: messages created or whose text changed."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: dict[int, Refusal] = field(default_factory=dict)  # index in the batch → why
    changed_ids: list[int] = field(default_factory=list)


def messages_record(rows: Sequence[MessageRow], *, refresh_interests: bool = True) -> MessagesWritten:
    """Store new messages, update those whose content changed, count resent ones as unchanged.

    A row is refused, and the others stored, when it names an unknown campaign, when its key
    already names another customer's message, or when an earlier row of the batch uses its key
    for other content. Stored rows are locked (in id order) while compared, so two writers of
    one key cannot lose an update; two creating it at once: the loser's batch is a
    ``WriteConflict`` (nothing of it stored, a retry is safe). A changed text clears the
    message's embedding bookkeeping: the vector stored for it no longer says what it says.
    Created and updated messages are noted in the graph outbox in the same transaction.
    With ``refresh_interests``, the customers of new or changed messages have their interests
    recomputed after commit (bulk imports pass ``False`` and recompute everyone at the end).
    """
    written = MessagesWritten()
    firsts, repeats = _first_of_each_key(rows, written.refused)
    try:
        with transaction.atomic():
            stored = _locked(list(firsts))
            now = timezone.now()
            new: list[Message] = []
            changed: list[Message] = []
            moved: list[datetime] = []
            for key, index in firsts.items():
                row, message = rows[index], stored.get(key)
                if message is None:
                    new.append(Message(**row._asdict()))
                elif message.customer_id != row.customer_id:
                    written.refused[index] = Refusal(
                        "id", "key_reused", f"The id {row.message_id!r} names another customer's message."
                    )
                elif all(getattr(message, name) == getattr(row, name) for name in CONTENT):
                    written.unchanged += 1
                else:
                    if message.text != row.text:
                        written.changed_ids.append(message.pk)
                    moved.append(message.sent_at)  # the day it leaves, if it moves
                    _update(message, row, now)
                    changed.append(message)
            Message.objects.bulk_create(new, batch_size=1000)
            Message.objects.bulk_update(
                changed, [*CONTENT, "embedding_model", "embedded_digest", "updated_at"], batch_size=1000
            )
            graph_changes_record(GraphEntity.MESSAGE, [message.pk for message in [*new, *changed]])
            aggregate_changes_record(moments=[*moved, *(message.sent_at for message in [*new, *changed])])
            if refresh_interests:
                interests_refresh_later({message.customer_id for message in (*new, *changed)})
    except IntegrityError as exc:  # another writer created one of these keys since the lookup
        raise WriteConflict from exc
    for index, first in repeats.items():  # a repeat shares the fate of the first
        if first in written.refused:
            written.refused[index] = written.refused[first]
        else:
            written.unchanged += 1
    written.refused = dict(sorted(written.refused.items()))
    written.created, written.updated = len(new), len(changed)
    written.changed_ids = sorted([message.pk for message in new] + written.changed_ids)
    messages_embed_after_commit(written.changed_ids)
    return written


def _first_of_each_key(
    rows: Sequence[MessageRow], refused: dict[int, Refusal]
) -> tuple[dict[Key, int], dict[int, int]]:
    """The index of each key's first row, and the rows that repeat it as they are (→ its
    index); rows naming an unknown campaign or reusing a key for other content go to ``refused``."""
    known_campaigns = _campaigns_among(rows)
    firsts: dict[Key, int] = {}
    repeats: dict[int, int] = {}
    for index, row in enumerate(rows):
        if row.campaign_id is not None and row.campaign_id not in known_campaigns:
            refused[index] = Refusal(
                "campaign", "unknown_campaign", f"No campaign has the id {row.campaign_id}."
            )
        elif row.key not in firsts:
            firsts[row.key] = index
        elif rows[firsts[row.key]] == row:
            repeats[index] = firsts[row.key]
        else:
            refused[index] = Refusal(
                "id", "duplicate", "An earlier message of the batch has this id and other content."
            )
    return firsts, repeats


def _update(message: Message, row: MessageRow, now: datetime) -> None:
    """The row's content on the stored message; a new text leaves it without an embedding."""
    if message.text != row.text:
        message.embedding_model = message.embedded_digest = ""
    for name in CONTENT:
        setattr(message, name, getattr(row, name))
    message.updated_at = now


def _campaigns_among(rows: Sequence[MessageRow]) -> set[int]:
    wanted = {row.campaign_id for row in rows if row.campaign_id is not None}
    return set(Campaign.objects.filter(pk__in=wanted).values_list("pk", flat=True)) if wanted else set()


def _locked(keys: list[Key]) -> dict[Key, Message]:
    """The stored messages with these keys, locked in id order."""
    found: dict[Key, Message] = {}
    for source in {source for source, _ in keys}:
        ids = [message_id for key_source, message_id in keys if key_source == source]
        for chunk in chunked(ids, LOOKUP_CHUNK):
            rows = Message.objects.select_for_update().filter(source=source, message_id__in=chunk)
            found.update(((message.source, message.message_id), message) for message in rows.order_by("pk"))
    return found
