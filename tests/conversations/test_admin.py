"""Messages in the admin: listed, filtered and searched, read but never edited; intents with
their examples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conversations.embedding import embedder
from conversations.models import Intent, IntentBy, IntentExample, Message, TrainedIntentClassifier
from conversations.services.recording import MessageRow, messages_record
from tests.conversations.conftest import People, trainings_asked

START = datetime(2026, 11, 1, tzinfo=UTC)
LIST = "/admin/conversations/message/"


def write(
    people: People, count: int, *, text: str = "Where is my order? " * 10, channel: str = "chat"
) -> None:
    intent = Intent.objects.get_or_create(name="Order status", slug="order-status")[0]
    times = [START + timedelta(hours=i) for i in range(count)]
    messages_record([
        MessageRow(people.ada.pk, "api", f"{channel}-{i}", text, channel, at, None, "")
        for i, at in enumerate(times)
    ])  # fmt: skip
    Message.objects.update(intent=intent, intent_confidence=0.9, intent_by="classifier")


def listed(admin_client: Client, query: str = "") -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(LIST + query)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_list_shows_an_excerpt_and_costs_the_same_queries_for_few_or_many(
    admin_client: Client, people: People
) -> None:
    write(people, 2)
    few, page = listed(admin_client)
    write(people, 30, channel="email")
    many, _ = listed(admin_client)

    assert few == many
    assert "Where is my order? Where is my order?" in page
    assert "Order status" in page
    assert ("Where is my order? " * 10).strip() not in page  # only an excerpt


def test_filters_and_search_narrow_the_list(admin_client: Client, people: People) -> None:
    write(people, 2)
    write(people, 1, text="The scarf is lovely", channel="email")

    pages = {
        query: listed(admin_client, query)[1] for query in ("?channel__exact=email", "?q=scarf", "?q=ada-1")
    }

    rows = {query: page.count('class="field-excerpt"') for query, page in pages.items()}
    assert rows == {"?channel__exact=email": 1, "?q=scarf": 1, "?q=ada-1": 3}
    assert "scarf" in pages["?q=scarf"]


def test_a_message_is_read_not_edited_and_deleting_it_goes_through_the_service(
    admin_client: Client, people: People
) -> None:
    write(people, 1)
    message = Message.objects.get()
    url = f"{LIST}{message.pk}/change/"

    page = admin_client.get(url).content.decode()
    posted = admin_client.post(url, {"text": "Rewritten", "intent": message.intent_id})
    message.refresh_from_db()
    deleted = admin_client.post(f"{LIST}{message.pk}/delete/", {"post": "yes"})

    assert '<textarea name="text"' not in page
    assert posted.status_code == 302
    assert message.text == ("Where is my order? " * 10)
    assert message.intent_by == IntentBy.CLASSIFIER  # the intent kept as it was: no correction
    assert deleted.status_code == 302
    assert not Message.objects.exists()


def test_staff_correct_a_messages_intent_and_the_list_says_who_set_it(
    admin_client: Client, people: People, django_capture_on_commit_callbacks: Any
) -> None:
    write(people, 1)
    message = Message.objects.get()
    complaint = Intent.objects.create(name="Complaint", slug="complaint")
    Intent.objects.create(name="Asleep", slug="asleep", active=False)

    form = admin_client.get(f"{LIST}{message.pk}/change/").content.decode()
    with django_capture_on_commit_callbacks() as training:
        admin_client.post(f"{LIST}{message.pk}/change/", {"intent": complaint.pk})
    listing = listed(admin_client)[1]

    message.refresh_from_db()
    assert '<select name="intent"' in form
    assert "Asleep" not in form  # only active intents are offered
    assert (message.intent, message.intent_by, message.intent_confidence) == (complaint, IntentBy.STAFF, None)
    assert trainings_asked(training) == 1  # the classifier learns from it
    assert '<td class="field-intent_by">Staff</td>' in listing


def test_an_intent_is_defined_with_its_examples(
    admin_client: Client, db: None, django_capture_on_commit_callbacks: Any
) -> None:
    form = {
        "name": "Returns", "slug": "returns", "description": "", "active": "on",
        "examples-TOTAL_FORMS": "2", "examples-INITIAL_FORMS": "0",
        "examples-0-text": "How do I send this back?", "examples-1-text": "I want a refund",
    }  # fmt: skip

    with django_capture_on_commit_callbacks() as training:
        response = admin_client.post("/admin/conversations/intent/add/", form)
    listing = admin_client.get("/admin/conversations/intent/").content.decode()

    assert response.status_code == 302
    intent = Intent.objects.get(slug="returns")
    assert sorted(IntentExample.objects.filter(intent=intent).values_list("text", flat=True)) == [
        "How do I send this back?", "I want a refund"
    ]  # fmt: skip
    assert "Returns" in listing
    assert trainings_asked(training) == 1  # the classifier learns the new intent


def test_the_intents_list_counts_examples_and_messages_and_states_the_classifier(
    admin_client: Client, people: People
) -> None:
    write(people, 3)
    intent = Intent.objects.get()
    IntentExample.objects.create(intent=intent, text="Where is my parcel?")
    before = admin_client.get("/admin/conversations/intent/").content.decode()
    TrainedIntentClassifier.objects.create(
        embedding_model=embedder().model, digest="d", examples=20, intents=2, corrections=1, threshold=0.42,
        trained_at=START,
    )  # fmt: skip

    after = admin_client.get("/admin/conversations/intent/").content.decode()

    assert '<td class="field-examples">1</td>' in before
    assert '<td class="field-messages">3</td>' in before
    assert "not trained yet" in before
    assert "on 20 examples of 2 intents and 1 staff corrections" in after
    assert "0.42" in after
