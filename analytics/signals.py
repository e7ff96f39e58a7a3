"""Single-row saves and deletes note the aggregate keys of the row as it was and as it is (bulk
services call ``aggregate_changes_record`` themselves: bulk writes and ``update()`` send no
signals). A customer's deletion reaches here row by row, through the cascade."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_save

from analytics.recompute import STAMPS
from analytics.services.changes import aggregate_changes_record, local_day
from campaigns.models import Send
from conversations.models import Message
from customers.models import InteractionEvent, InteractionKind, Purchase


def _purchase_keys(row: Purchase) -> dict[str, Any]:
    return {"moments": [row.purchased_at], "customer_ids": [row.customer_id]}


def _event_keys(row: InteractionEvent) -> dict[str, Any]:
    """Only a purchase event is a purchase (``customers.ownership``) that engagement counts."""
    buyer = [row.customer_id] if row.kind == InteractionKind.PURCHASE else []
    return {"moments": [row.occurred_at], "customer_ids": buyer}


def _message_keys(row: Message) -> dict[str, Any]:
    return {"moments": [row.sent_at]}


def _send_keys(row: Send) -> dict[str, Any]:
    stamps = [getattr(row, stamp) for stamp in STAMPS]
    return {
        "customer_ids": [row.customer_id],
        "campaign_days": [(local_day(at), row.variant_id) for at in stamps if at is not None],
    }


KEYS: dict[type[Model], Callable[[Any], dict[str, Any]]] = {
    Purchase: _purchase_keys,
    InteractionEvent: _event_keys,
    Message: _message_keys,
    Send: _send_keys,
}
# The fields the aggregates read, per model: a save naming none of them in ``update_fields``
# (a message's intent corrected, say) changes no aggregate.
READ = {
    Purchase: {"customer", "purchased_at", "kind", "invoice", "amount", "currency"},
    InteractionEvent: {"customer", "occurred_at", "kind"},
    Message: {"customer", "sent_at"},
    Send: {"customer", "variant", *STAMPS},
}


def _reads(sender: type[Model], update_fields: Collection[str] | None) -> bool:
    if update_fields is None:
        return True
    return any(name.removesuffix("_id") in READ[sender] for name in update_fields)


def row_changed(
    sender: type[Model], instance: Model, update_fields: Collection[str] | None = None, **kwargs: Any
) -> None:
    if _reads(sender, update_fields):
        aggregate_changes_record(**KEYS[sender](instance))


def row_changing(
    sender: type[Model], instance: Model, update_fields: Collection[str] | None = None, **kwargs: Any
) -> None:
    """An edit may move a row off its keys (another day, another kind): note the stored row's."""
    if instance._state.adding or instance.pk is None or not _reads(sender, update_fields):
        return
    stored = sender._default_manager.filter(pk=instance.pk).first()
    if stored is not None:
        aggregate_changes_record(**KEYS[sender](stored))


def connect() -> None:
    for model in KEYS:
        name = model.__name__
        pre_save.connect(row_changing, sender=model, dispatch_uid=f"analytics-changing-{name}")
        post_save.connect(row_changed, sender=model, dispatch_uid=f"analytics-saved-{name}")
        post_delete.connect(row_changed, sender=model, dispatch_uid=f"analytics-deleted-{name}")
