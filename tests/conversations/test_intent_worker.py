"""A real worker trains the classifier after a change and classifies the shop's messages again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from conversations.embedding import embedder
from conversations.models import Message, TrainedIntentClassifier
from conversations.services.intent_classification import intent_classifier_train, messages_intents_classify
from conversations.services.intents import intents_load_starter
from conversations.services.recording import MessageRow, messages_record
from customers.models import Customer
from tests.support import WorkerStarter
from tests.waiting import wait_for

TEXTS = ["Can you gift wrap my order?", "do you do gift wrapping", "please stop emailing me"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_new_intent_defined_through_the_api_reaches_the_messages_through_the_worker(
    staff_client: APIClient, settings: Any, celery_worker: WorkerStarter
) -> None:
    # given: the starter intents, trained, and messages classified with them
    settings.INTENTS_RETRAIN_SECONDS = 0
    settings.INTENTS_RECLASSIFY_BATCH = 2
    ada = Customer.objects.create(external_id="ada-1")
    messages_record([
        MessageRow(ada.pk, "api", f"m-{i}", text, "chat", datetime(2026, 11, 30, tzinfo=UTC), None, "en")
        for i, text in enumerate(TEXTS)
    ])  # fmt: skip
    intents_load_starter()
    trained = intent_classifier_train()
    messages = Message.objects.order_by("pk")
    messages_intents_classify(  # what the embedding pipeline's signal does
        message_ids=[message.pk for message in messages],
        vectors=embedder().passages([message.text for message in messages]),
        model=trained.embedding_model,
    )
    intents = messages.values_list("intent__slug", flat=True)
    assert "gift_wrap" not in list(intents.all())

    # when: staff define a gift-wrapping intent through the API, with a worker running
    with celery_worker():
        created = staff_client.post(
            "/api/v1/intents",
            {
                "name": "Gift wrap",
                "slug": "gift_wrap",
                "examples": [
                    "Could you wrap it as a present?",
                    "I'd like gift wrapping please",
                    "Do you offer gift wrap?",
                ],
            },
            format="json",
        )
        retrained = wait_for(
            lambda: (
                TrainedIntentClassifier.objects.exclude(digest=trained.digest).exists()
                and list(intents.all()) == ["gift_wrap", "gift_wrap", "unsubscribe"]
            )
        )

    # then: the worker trained again and classified every message again, in batches
    assert created.status_code == 201
    assert retrained, f"the worker never classified the messages again: {list(intents.all())}"
