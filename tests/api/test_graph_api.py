from __future__ import annotations

import pytest

from customers.models import Customer
from graph.port import Graph
from graph.services.derived import graph_derived_edges_write
from graph.services.sync import graph_outbox_drain
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
