from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from conversations.models import Message
from conversations.vectors.port import VectorStore
from tests.conversations.conftest import People
from tests.support import WorkerStarter
from tests.waiting import wait_for

SEARCH = "/api/v1/messages/search"


@pytest.mark.worker
@pytest.mark.vectors
@pytest.mark.django_db(transaction=True)
def test_a_message_sent_through_the_api_is_embedded_by_a_worker_and_found(
    staff_client: APIClient, people: People, vectors: VectorStore, celery_worker: WorkerStarter
) -> None:
    batch = {
        "messages": [
            {
                "id": "c-1",
                "text": "My parcel still has not arrived, where is it?",
                "sent_at": "2026-11-30T09:00:00Z",
            },
            {"id": "c-2", "text": "Do you have the lantern in blue?", "sent_at": "2026-11-30T09:05:00Z"},
        ]
    }

    with celery_worker():
        assert staff_client.post("/api/v1/customers/ada-1/messages", batch, format="json").status_code == 201
        embedded = Message.objects.exclude(embedding_model="")  # recorded once the store has them
        assert wait_for(lambda: embedded.count() == 2, seconds=60), "the worker never embedded the messages"

    found = staff_client.get(SEARCH, {"q": "delivery is late", "k": "1"}).json()["results"]
    assert [result["id"] for result in found] == [Message.objects.get(message_id="c-1").pk]
    assert vectors.count() == 2
