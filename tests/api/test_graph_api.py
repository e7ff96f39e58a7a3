from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campaigns.models import Campaign, Segment
from conversations.models import Intent, IntentBy, Message
from conversations.services.messages import messages_ingest
from customers.models import Customer
from graph.models import GraphEntity
from graph.port import Graph
from graph.services.derived import graph_derived_edges_write
from graph.services.sync import graph_changes_record, graph_outbox_drain
from tests.factories import World


@pytest.fixture
def synced(world: World, graph: Graph) -> World:
    graph_outbox_drain(graph=graph)
    graph_derived_edges_write(graph)
    return world


def test_a_customer_graph_names_nodes_by_public_keys(synced: World) -> None:
    body = synced.clients["staff"].get("/api/v1/customers/ada-1/graph").json()

    ids = {node["id"] for node in body["nodes"]}
    assert {"customer:ada-1", "product:22086", "customer:bob-2"} <= ids
    assert all(edge["source"] in ids and edge["target"] in ids for edge in body["edges"])
    assert not any(str(Customer.objects.get(external_id="ada-1").pk) == node["id"].split(":")[1]
                   for node in body["nodes"])  # fmt: skip


def test_a_customer_login_sees_its_graph_without_other_customers(synced: World) -> None:
    body = synced.clients["customer"].get("/api/v1/customers/ada-1/graph").json()

    assert [node["id"] for node in body["nodes"] if node["label"] == "Customer"] == ["customer:ada-1"]


def test_a_customer_graph_shows_the_latest_messages_without_their_text(world: World, graph: Graph) -> None:
    # given Ada's message answering a campaign, with an intent
    spring = Campaign.objects.create(
        name="Lapsed spenders win-back", segment=Segment.objects.create(name="all")
    )
    refund = Intent.objects.create(name="Refund", slug="refund")
    messages_ingest(customer_id=world.ada.pk, source="api", messages=[
        {"id": "m-1", "text": "I want my money back", "sent_at": datetime(2026, 11, 30, tzinfo=UTC),
         "channel": "email", "campaign": spring.pk},
    ])  # fmt: skip
    # classified as a bulk writer stores it: an update, then the outbox (no signal is sent)
    Message.objects.update(intent=refund, intent_confidence=0.9, intent_by=IntentBy.CLASSIFIER)
    graph_changes_record(GraphEntity.MESSAGE, Message.objects.values_list("pk", flat=True))
    graph_outbox_drain(graph=graph)
    message = f"message:{Message.objects.get().pk}"

    # when staff and then Ada ask for her graph
    staff = world.clients["staff"].get("/api/v1/customers/ada-1/graph").json()
    own = world.clients["customer"].get("/api/v1/customers/ada-1/graph").json()

    # then both see the message named by channel and day, and its intent; only staff the campaign
    for body in (staff, own):
        nodes = {node["id"]: node for node in body["nodes"]}
        assert nodes[message]["name"] == "Email, 2026-11-30"
        assert nodes["intent:refund"]["name"] == "Refund"
        assert {"source": message, "target": "intent:refund", "type": "HAS_INTENT", "confidence": 0.9,
                "by": "classifier"} in body["edges"]  # fmt: skip
        assert "money back" not in str(body)
    assert f"campaign:{spring.pk}" in {node["id"] for node in staff["nodes"]}
    assert "win-back" not in str(own)


def test_similar_customers_explain_themselves(synced: World) -> None:
    (bob,) = synced.clients["staff"].get("/api/v1/customers/ada-1/similar").json()

    assert bob["external_id"] == "bob-2"
    assert bob["shared_products"] == [{"sku": "22086", "name": "PAPER CHAIN KIT 50'S CHRISTMAS"}]
    assert bob["shared_product_count"] == 1
    assert 0 < bob["score"] <= 1


def test_limit_bounds_the_answer(synced: World) -> None:
    body = synced.clients["staff"].get("/api/v1/customers/bob-2/graph?limit=1").json()

    assert len([node for node in body["nodes"] if node["label"] == "Product"]) == 1


def test_complements_of_an_unknown_product_are_404(synced: World) -> None:
    response = synced.clients["staff"].get("/api/v1/products/NOPE/complements")

    assert response.status_code == 404
    assert response.json()["error_code"] == "not_found"


@pytest.mark.parametrize("limit", ["0", "101", "ten", "1.5"])
def test_a_bad_limit_is_a_validation_error(synced: World, limit: str) -> None:
    response = synced.clients["staff"].get(f"/api/v1/customers/ada-1/graph?limit={limit}")

    assert response.status_code == 400
    assert response.json()["error_code"] == "validation_error"


def test_a_graph_that_is_down_is_a_503_in_the_envelope(synced: World, graph_down: None) -> None:
    response = synced.clients["staff"].get("/api/v1/customers/ada-1/similar")

    assert response.status_code == 503
    assert response.json()["error_code"] == "graph_unavailable"
