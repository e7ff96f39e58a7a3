"""Messages, their intents and the campaigns they answer, kept in step with the graph through the
outbox: written by the conversations services and admin saves, drained, rebuilt and verified."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction

from campaigns.models import Campaign, Segment
from conversations.models import Intent, IntentBy, Message
from conversations.services.messages import messages_delete
from conversations.services.recording import MessageRow, messages_record
from conversations.signals import message_intents_changed
from customers.models import Customer
from graph.models import GraphChange
from graph.port import Graph, get_graph
from graph.schema import ABOUT, CAMPAIGN, HAS_INTENT, INTENT, MESSAGE, SENT
from graph.services.recovery import graph_rebuild, graph_repair, graph_verify
from graph.services.sync import graph_outbox_drain

SENT_AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@dataclass
class Talk:
    ada: int
    bob: int
    spring: int  # a campaign
    delivery: Intent
    refund: Intent
    messages: dict[str, int]  # message_id → pk

    def message(self, message_id: str) -> Message:
        return Message.objects.get(pk=self.messages[message_id])


def row(customer_id: int, message_id: str, **changes: Any) -> MessageRow:
    return MessageRow(
        customer_id, "api", message_id, "Where is my parcel?", "chat", SENT_AT, None, "en"
    )._replace(**changes)


@pytest.fixture
def talk(db: None, graph: Graph) -> Talk:
    """Ada wrote three messages (one answering the spring campaign), Bob one; two intents."""
    ada = Customer.objects.create(external_id="ada", name="Ada").pk
    bob = Customer.objects.create(external_id="bob", name="Bob").pk
    spring = Campaign.objects.create(name="Spring sale", segment=Segment.objects.create(name="all")).pk
    delivery = Intent.objects.create(name="Delivery", slug="delivery")
    refund = Intent.objects.create(name="Refund", slug="refund")
    messages_record([
        row(ada, "a1"),
        row(ada, "a2", sent_at=SENT_AT + timedelta(hours=1), campaign_id=spring, channel="email"),
        row(ada, "a3", sent_at=SENT_AT + timedelta(hours=2), language=""),
        row(bob, "b1"),
    ])  # fmt: skip
    messages = dict(Message.objects.values_list("message_id", "pk"))
    return Talk(ada, bob, spring, delivery, refund, messages)


def classify(message: Message, intent: Intent | None, confidence: float | None, by: str) -> None:
    """As a staff correction in the admin stores it: one row, saved."""
    message.intent, message.intent_confidence, message.intent_by = intent, confidence, by
    message.save()


def test_messages_reach_the_graph_with_their_sender_campaign_and_intent(talk: Talk, graph: Graph) -> None:
    # given
    classify(talk.message("a2"), talk.refund, 0.83, IntentBy.CLASSIFIER)
    # when
    graph_outbox_drain(graph=graph)
    # then
    a1, a2, b1 = (talk.messages[key] for key in ("a1", "a2", "b1"))
    assert not GraphChange.objects.exists()
    assert graph.nodes(MESSAGE)[a2] == {
        "channel": "email",
        "sent_at": "2026-11-30T10:00:00Z",
        "language": "en",
    }
    assert graph.nodes(CAMPAIGN) == {talk.spring: {"name": "Spring sale"}}
    assert graph.nodes(INTENT)[talk.refund.pk] == {"slug": "refund", "name": "Refund"}
    assert set(graph.edges(SENT)) == {(talk.ada, pk) for pk in talk.messages.values() if pk != b1} | {
        (talk.bob, b1)
    }
    assert set(graph.edges(ABOUT)) == {(a2, talk.spring)}
    assert graph.edges(HAS_INTENT) == {(a2, talk.refund.pk): {"confidence": 0.83, "by": "classifier"}}
    assert a1 not in {key[0] for key in graph.edges(HAS_INTENT)}


def test_a_resend_and_a_second_drain_change_nothing(talk: Talk, graph: Graph) -> None:
    graph_outbox_drain(graph=graph)
    before = graph.counts()

    resent = messages_record([row(talk.ada, "a1")])
    graph_outbox_drain(graph=graph)
    edited = messages_record([row(talk.ada, "a1", channel="web")])
    graph_outbox_drain(graph=graph)
    graph_outbox_drain(graph=graph)

    assert (resent.unchanged, edited.updated) == (1, 1)
    assert not GraphChange.objects.exists()
    assert graph.counts() == before
    assert graph.nodes(MESSAGE, [talk.messages["a1"]])[talk.messages["a1"]]["channel"] == "web"
    assert set(graph.edges(SENT, [talk.messages["a1"]])) == {(talk.ada, talk.messages["a1"])}


def test_a_changed_intent_moves_its_one_edge(talk: Talk, graph: Graph) -> None:
    a1 = talk.messages["a1"]
    classify(talk.message("a1"), talk.delivery, 0.61, IntentBy.CLASSIFIER)
    graph_outbox_drain(graph=graph)

    classify(talk.message("a1"), talk.refund, None, IntentBy.STAFF)  # staff correct it
    graph_outbox_drain(graph=graph)

    assert graph.edges(HAS_INTENT, [a1]) == {(a1, talk.refund.pk): {"confidence": None, "by": "staff"}}

    classify(talk.message("a1"), None, None, IntentBy.NONE)
    graph_outbox_drain(graph=graph)

    assert graph.edges(HAS_INTENT) == {}


def test_intents_given_in_bulk_move_their_edges_too(talk: Talk, graph: Graph) -> None:
    """A classification writes many messages at once (no save signals): it says which."""
    graph_outbox_drain(graph=graph)
    ids = [talk.messages["a1"], talk.messages["b1"]]

    with transaction.atomic():
        Message.objects.filter(pk__in=ids).update(
            intent=talk.delivery, intent_confidence=0.9, intent_by=IntentBy.CLASSIFIER
        )
        message_intents_changed.send(Message, message_ids=ids)
    graph_outbox_drain(graph=graph)

    assert set(graph.edges(HAS_INTENT)) == {(pk, talk.delivery.pk) for pk in ids}


def test_a_renamed_intent_is_renamed_and_a_deleted_one_leaves_its_messages_without(
    talk: Talk, graph: Graph
) -> None:
    classify(talk.message("a1"), talk.delivery, 0.9, IntentBy.CLASSIFIER)
    graph_outbox_drain(graph=graph)

    talk.delivery.name = "Delivery status"
    talk.delivery.save()
    graph_outbox_drain(graph=graph)
    assert graph.nodes(INTENT)[talk.delivery.pk]["name"] == "Delivery status"

    talk.delivery.delete()  # its messages keep no intent (SET_NULL, an update without signals)
    graph_outbox_drain(graph=graph)

    assert set(graph.nodes(INTENT)) == {talk.refund.pk}
    assert graph.edges(HAS_INTENT) == {}
    assert talk.messages["a1"] in graph.nodes(MESSAGE)
    assert not graph_verify(graph).drifted


def test_a_deleted_campaign_takes_its_about_edges(talk: Talk, graph: Graph) -> None:
    graph_outbox_drain(graph=graph)

    Campaign.objects.filter(pk=talk.spring).delete()
    graph_outbox_drain(graph=graph)

    assert graph.nodes(CAMPAIGN) == {}
    assert graph.edges(ABOUT) == {}
    assert talk.messages["a2"] in graph.nodes(MESSAGE)
    assert not graph_verify(graph).drifted


def test_a_deleted_message_leaves_nothing_behind(talk: Talk, graph: Graph) -> None:
    classify(talk.message("a2"), talk.refund, 0.7, IntentBy.CLASSIFIER)
    graph_outbox_drain(graph=graph)
    a2 = talk.messages["a2"]

    messages_delete(ids=[a2])
    graph_outbox_drain(graph=graph)

    assert a2 not in graph.nodes(MESSAGE)
    assert a2 not in {key[1] for key in graph.edges(SENT)}
    assert graph.edges(ABOUT) == {}
    assert graph.edges(HAS_INTENT) == {}
    assert not graph_verify(graph).drifted


def test_a_deleted_customer_leaves_none_of_its_messages(talk: Talk, graph: Graph) -> None:
    classify(talk.message("a1"), talk.delivery, 0.9, IntentBy.CLASSIFIER)
    graph_outbox_drain(graph=graph)

    Customer.objects.filter(pk=talk.ada).delete()
    graph_outbox_drain(graph=graph)

    assert set(graph.nodes(MESSAGE)) == {talk.messages["b1"]}
    assert set(graph.edges(SENT)) == {(talk.bob, talk.messages["b1"])}
    assert graph.edges(ABOUT) == graph.edges(HAS_INTENT) == {}
    assert set(graph.nodes(INTENT)) == {talk.delivery.pk, talk.refund.pk}  # the shop's, not Ada's
    assert not graph_verify(graph).drifted


def test_a_rebuild_holds_the_messages_and_verify_names_what_drifted(talk: Talk, graph: Graph) -> None:
    # given a graph rebuilt from the database
    classify(talk.message("a2"), talk.refund, 0.83, IntentBy.CLASSIFIER)
    rebuilt = graph_rebuild()
    graph = get_graph()
    assert (rebuilt.counts["Message"], rebuilt.counts["SENT"], rebuilt.counts["Intent"]) == (4, 4, 2)
    assert (rebuilt.counts["Campaign"], rebuilt.counts["ABOUT"], rebuilt.counts["HAS_INTENT"]) == (1, 1, 1)
    assert not graph_verify(graph).drifted
    a1, a2, b1 = (talk.messages[key] for key in ("a1", "a2", "b1"))

    # when it drifts: a message lost, one that does not exist, an intent edge moved, a sender lost
    graph.delete_nodes(MESSAGE, [a1])
    graph.upsert_nodes(MESSAGE, [{"id": 999_999, "channel": "chat", "sent_at": None, "language": ""}])
    graph.replace_edges_of(HAS_INTENT, [a2], [{"from_id": a2, "to_id": talk.delivery.pk,
                                               "confidence": 0.83, "by": "classifier"}])  # fmt: skip
    graph.delete_edges_of(SENT, [b1])
    report = graph_verify(graph)

    # then verify names each difference by its ids, and repair makes the graph whole
    drifted = {kind.kind: kind for kind in report.kinds if kind.drifted}
    assert set(drifted) == {"Message", "SENT", "HAS_INTENT"}
    assert (drifted["Message"].missing, drifted["Message"].extra) == ([a1], [999_999])
    assert drifted["SENT"].missing == [(talk.ada, a1), (talk.bob, b1)]
    assert drifted["HAS_INTENT"].missing == [(a2, talk.refund.pk)]
    assert drifted["HAS_INTENT"].extra == [(a2, talk.delivery.pk)]
    graph_repair(graph)
    assert not graph_verify(graph).drifted
    assert graph.counts() == rebuilt.counts
