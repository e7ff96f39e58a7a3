"""Training the shop's intent classifier and giving messages their intents with it.

Training embeds the active intents' examples and the staff corrections with the process's embedder
and stores the classifier in one row per embedding model (``TrainedIntentClassifier``), so every
worker reads the same one and vectors of another model never reach it. A change to intents,
examples or corrections asks for a training a little later (``intent_classifier_train_later``), so a
burst of edits trains once or twice, not once per edit; a periodic task catches what nothing asked
for (a new embedding model).

Messages are classified as their vectors are made (``messages_embedded``) and again, in batches,
after each training. Those batches embed the messages' texts again: the vector store's port offers
no reading of stored vectors, and this way classification keeps working while the store is down.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from conversations.embedding import embedder
from conversations.intents.classifier import (
    UNKNOWN,
    IntentClassifier,
    IntentTrainingError,
    Labelled,
    classifier_train,
)
from conversations.models import Intent, IntentBy, Message, TrainedIntentClassifier
from conversations.selectors import intent_classifier_state, intent_training_set
from conversations.signals import message_intents_changed
from marketing_platform.cache import CacheUnavailable
from marketing_platform.transactions import after_commit

logger = logging.getLogger(__name__)
TRAIN_LATER_KEY = "intents:train-later"
Result = tuple[int | None, float | None, str]  # intent id, confidence, who set it


def intent_classifier_train_later() -> None:
    """Train the classifier ``INTENTS_RETRAIN_SECONDS`` after the current transaction commits;
    changes made before that training starts are learned by it: one training for a burst."""
    after_commit(_schedule_training)


def _schedule_training() -> None:
    from conversations.tasks import train_intent_classifier

    delay = settings.INTENTS_RETRAIN_SECONDS
    try:
        first = cache.add(TRAIN_LATER_KEY, True, delay * 2 + 60)
    except CacheUnavailable:  # one training too many finds nothing new; a lost one leaves it stale
        first = True
    if first:
        train_intent_classifier.apply_async(countdown=delay)


def intent_classifier_train() -> TrainedIntentClassifier:
    """Train on what the shop has now unless the stored classifier learned exactly that, then
    classify the messages again (in batches, on the worker). Examples that cannot train one
    store the reason instead, and the classifier's intents are taken off the messages."""
    cache.delete(TRAIN_LATER_KEY)
    current = embedder()
    training = intent_training_set()
    digest = training.digest(current.model)
    stored = intent_classifier_state(current.model)
    if stored is not None and stored.digest == digest:
        return stored
    fields: dict[str, object] = {
        "digest": digest,
        "intents": len({intent for intent, _ in training.examples}),
        "examples": len(training.examples),
        "corrections": len(training.corrections),
        "trained_at": timezone.now(),
    }
    try:
        classifier = classifier_train(_labelled(training.examples), _labelled(training.corrections))
    except IntentTrainingError as exc:
        fields.update(classifier=b"", error=str(exc), threshold=None)
    else:
        fields.update(classifier=pickle.dumps(classifier), error="", threshold=classifier.threshold)
    trained, _ = TrainedIntentClassifier.objects.update_or_create(
        embedding_model=current.model, defaults=fields
    )
    after_commit(_queue_reclassification, digest)
    return trained


def _labelled(pairs: Sequence[tuple[int, str]]) -> Labelled:
    current = embedder()
    texts = [text for _, text in pairs]
    vectors = current.passages(texts) if texts else np.empty((0, current.dimension), dtype=np.float32)
    return Labelled([str(intent) for intent, _ in pairs], vectors)


def _queue_reclassification(digest: str) -> None:
    from conversations.tasks import reclassify_messages

    reclassify_messages.delay(digest, 0)


def messages_reclassify(*, digest: str, after_id: int) -> int | None:
    """Classify again the next ``INTENTS_RECLASSIFY_BATCH`` messages after ``after_id`` that staff
    did not file, with the classifier trained on ``digest``; the last id done, or None when there
    are no more or a newer training took over (it classifies them again itself)."""
    current = embedder()
    stored = intent_classifier_state(current.model)
    if stored is None or stored.digest != digest:
        return None
    messages = Message.objects.filter(pk__gt=after_id).order_by("pk")
    if stored.error:  # no classifier: only its intents to take off
        ids = list(messages.filter(intent_by=IntentBy.CLASSIFIER).values_list("pk", flat=True)[: _batch()])
        _write(ids, dict.fromkeys(ids, (None, None, IntentBy.NONE)))
        return ids[-1] if ids else None
    batch = list(messages.exclude(intent_by=IntentBy.STAFF).values_list("pk", "text")[: _batch()])
    if not batch:
        return None
    vectors = current.passages([text for _, text in batch])
    messages_intents_classify(message_ids=[pk for pk, _ in batch], vectors=vectors, model=current.model)
    return int(batch[-1][0])


def _batch() -> int:
    return int(settings.INTENTS_RECLASSIFY_BATCH)


def messages_intents_classify(*, message_ids: Sequence[int], vectors: np.ndarray, model: str) -> int:
    """Give these messages (their embeddings by ``model``, row for row) the intent the classifier
    trained for ``model`` sees in them, with its confidence; an ``unknown`` leaves no intent (the
    confidence is kept). Messages staff filed are left alone, and without a classifier for ``model``
    nothing is done. Returns how many messages changed."""
    classifier = _classifier_for(model)
    if classifier is None or not len(message_ids):
        return 0
    if vectors.ndim != 2 or vectors.shape != (len(message_ids), classifier.pipeline.n_features_in_):
        logger.warning("Intents: vectors of shape %s do not fit the classifier for %s", vectors.shape, model)
        return 0
    active = set(Intent.objects.filter(active=True).values_list("pk", flat=True))
    results: dict[int, Result] = {}
    for pk, prediction in zip(message_ids, classifier.classify(vectors), strict=True):
        claimed = None if prediction.intent == UNKNOWN else int(prediction.intent)
        results[pk] = (claimed if claimed in active else None, prediction.confidence, IntentBy.CLASSIFIER)
    return _write(list(message_ids), results)


def _classifier_for(model: str) -> IntentClassifier | None:
    stored = intent_classifier_state(model)
    if stored is None or stored.error:
        return None
    return _unpickled(stored.pk, stored.digest)


@lru_cache(maxsize=4)
def _unpickled(pk: int, digest: str) -> IntentClassifier | None:
    """The stored classifier, read once per process and training (the digest names the training)."""
    row = TrainedIntentClassifier.objects.filter(pk=pk, digest=digest).values_list("classifier", flat=True)
    blob = row.first()
    classifier = pickle.loads(bytes(blob)) if blob else None  # noqa: S301 - our own row, written above
    return classifier if isinstance(classifier, IntentClassifier) else None


def _write(ids: list[int], results: dict[int, Result]) -> int:
    """Store the results on the messages staff did not file (locked in id order); the changed ones
    are announced."""
    with transaction.atomic():
        locked = Message.objects.select_for_update().filter(pk__in=ids).exclude(intent_by=IntentBy.STAFF)
        changed = []
        for message in locked.order_by("pk"):
            result = results[message.pk]
            if (message.intent_id, message.intent_confidence, message.intent_by) != result:
                message.intent_id, message.intent_confidence, message.intent_by = result
                changed.append(message)
        Message.objects.bulk_update(changed, ["intent", "intent_confidence", "intent_by"], batch_size=500)
        if changed:
            message_intents_changed.send(Message, message_ids=[message.pk for message in changed])
    return len(changed)
