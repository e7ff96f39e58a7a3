"""Writes to a shop's intents: defined with their examples, deleted, loaded from the starter set;
a message's intent corrected by staff. Each change asks for the classifier to be trained again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from conversations.intents.errors import IntentInactive, IntentTaken
from conversations.intents.starter import starter_intents
from conversations.models import Intent, IntentBy, IntentExample, Message
from conversations.services.intent_classification import intent_classifier_train_later
from conversations.signals import message_intents_changed


def intent_create(
    *, name: str, slug: str = "", description: str = "", active: bool = True, examples: Sequence[str] = ()
) -> Intent:
    """A new intent (its slug made from its name unless given) with its example messages."""
    try:
        with transaction.atomic():
            intent = Intent.objects.create(
                name=name, slug=slug or slugify(name), description=description, active=active
            )
            IntentExample.objects.bulk_create(IntentExample(intent=intent, text=text) for text in examples)
    except IntegrityError as exc:
        raise IntentTaken(
            f"An intent named {name!r} or with the slug {slug or slugify(name)!r} exists."
        ) from exc
    intent_classifier_train_later()
    return intent


def intent_update(
    *,
    intent: Intent,
    name: str | None = None,
    slug: str | None = None,
    description: str | None = None,
    active: bool | None = None,
    examples: Sequence[str] | None = None,
) -> Intent:
    """Change what is given; ``examples``, when given, becomes the intent's whole example set (those
    kept keep their ids). Nothing changed, nothing written."""
    changes = {"name": name, "slug": slug, "description": description, "active": active}
    try:
        with transaction.atomic():
            locked = Intent.objects.select_for_update().get(pk=intent.pk)
            changed = [
                field
                for field, value in changes.items()
                if value is not None and getattr(locked, field) != value
            ]
            for field in changed:
                setattr(locked, field, changes[field])
            if changed:
                locked.save(update_fields=[*changed, "updated_at"])
            if examples is not None and _examples_replace(locked, examples):
                changed.append("examples")
    except IntegrityError as exc:
        raise IntentTaken(f"Another intent is named {name!r} or has the slug {slug!r}.") from exc
    if changed:
        intent_classifier_train_later()
    return locked


def _examples_replace(intent: Intent, texts: Sequence[str]) -> bool:
    wanted = list(dict.fromkeys(texts))
    stored = intent.examples.all()
    removed, _ = stored.exclude(text__in=wanted).delete()
    have = set(stored.values_list("text", flat=True))
    added = IntentExample.objects.bulk_create(
        IntentExample(intent=intent, text=text) for text in wanted if text not in have
    )
    return bool(removed or added)


@transaction.atomic
def intent_delete(*, intent: Intent) -> None:
    """Delete the intent; its messages, staff's corrections included, go back to the classifier."""
    messages = Message.objects.filter(intent=intent)
    ids = list(messages.values_list("pk", flat=True))
    messages.update(intent=None, intent_confidence=None, intent_by=IntentBy.NONE)
    intent.delete()
    if ids:
        message_intents_changed.send(Message, message_ids=ids)
    intent_classifier_train_later()


@transaction.atomic
def message_intent_correct(*, message_id: int, intent: Intent | None) -> Message:
    """Staff's intent for the message (None: none of the shop's intents): the classifier never
    changes it, and learns from it at its next training. Correcting it to what it is does nothing."""
    if intent is not None and not intent.active:
        raise IntentInactive(f"The intent {intent.name!r} is not active: activate it first.")
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.intent_by == IntentBy.STAFF and message.intent_id == (intent.pk if intent else None):
        return message
    message.intent, message.intent_confidence, message.intent_by = intent, None, IntentBy.STAFF
    message.save(update_fields=["intent", "intent_confidence", "intent_by"])
    message_intents_changed.send(Message, message_ids=[message.pk])
    intent_classifier_train_later()
    return message


@dataclass(frozen=True)
class StarterLoaded:
    intents: int  # created
    examples: int  # created, in new and in existing intents


@transaction.atomic
def intents_load_starter() -> StarterLoaded:
    """Create the starter intents (``intents/starter_intents.json``) and examples that are missing:
    an intent is found by its slug or its name, so one a shop renamed or made its own is added to,
    never replaced; nothing is deleted. Run again, it creates nothing."""
    intents = examples = 0
    for definition in starter_intents():
        name = definition.title
        intent = (
            Intent.objects.filter(slug=definition.name).first() or Intent.objects.filter(name=name).first()
        )
        if intent is None:
            intent = Intent.objects.create(
                name=name,
                slug=definition.name,
                description=definition.description,
                holds_promotions=definition.holds_promotions,
            )
            intents += 1
        before = intent.examples.count()
        IntentExample.objects.bulk_create(
            [IntentExample(intent=intent, text=text) for text in definition.examples], ignore_conflicts=True
        )
        examples += intent.examples.count() - before
    if intents or examples:
        intent_classifier_train_later()
    return StarterLoaded(intents=intents, examples=examples)
