"""The port's contract, run against the embedded adapter always and against Neo4j when
``NEO4J_URL`` is set (see the README). Every test starts from an empty graph."""

from __future__ import annotations

from typing import Any

import pytest

from graph import neo4j_models
from graph.drawing import subgraph_svg
from graph.port import Graph
from graph.queries import PROFILE_MESSAGE_COUNT
from graph.schema import (
    ABOUT,
    BELONGS_TO,
    CAMPAIGN,
    CATEGORY,
    COMPLEMENTS,
    CUSTOMER,
    EDGE_TYPES,
    HAS_INTENT,
    INTENT,
    INTEREST,
    INTERESTED_IN,
    MESSAGE,
    NODE_TYPES,
    PRODUCT,
    PURCHASED,
    SENT,
    SIMILAR_TO,
)  # fmt: skip


def customer(pk: int, name: str = "") -> dict[str, object]:
    return {"id": pk, "external_id": f"C{pk}", "name": name or f"Customer {pk}", "country": "United Kingdom"}


def product(pk: int, active: bool = True) -> dict[str, object]:
    return {"id": pk, "sku": f"S{pk}", "name": f"PRODUCT {pk}", "price": 2.55, "active": active}


def christmas(category_id: int | None) -> dict[str, object]:
    return {"id": 7, "slug": "seasonal/christmas", "name": "Christmas", "topic": "Seasonal",
            "category_id": category_id}  # fmt: skip


def bought(
    customer_id: int, product_id: int, times: int = 1, last: str = "2011-12-01T08:26:00Z"
) -> dict[str, object]:
    return {"from_id": customer_id, "to_id": product_id, "times": times, "quantity": 2 * times,
            "amount": 5.1 * times, "first_purchase": "2011-01-01T00:00:00Z",
            "last_purchase": last}  # fmt: skip


def message(pk: int, day: int, channel: str = "chat") -> dict[str, object]:
    return {"id": pk, "channel": channel, "sent_at": f"2026-11-{day:02}T09:00:00Z", "language": "en"}


def test_upserting_nodes_twice_updates_them_without_duplicates(graph: Graph) -> None:
    graph.upsert_nodes(CUSTOMER, [customer(1), customer(2)])
    graph.upsert_nodes(CUSTOMER, [customer(2, name="Renamed"), customer(3)])

    assert graph.counts()["Customer"] == 3
    assert graph.nodes(CUSTOMER, [2]) == {
        2: {"external_id": "C2", "name": "Renamed", "country": "United Kingdom"}
    }


def test_properties_keep_their_types_and_nulls(graph: Graph) -> None:
    graph.upsert_nodes(PRODUCT, [product(1, active=False)])
    graph.upsert_nodes(INTEREST, [christmas(None)])

    assert graph.nodes(PRODUCT) == {1: {"sku": "S1", "name": "PRODUCT 1", "price": 2.55, "active": False}}
    assert graph.nodes(INTEREST)[7]["category_id"] is None


def test_deleting_a_node_deletes_its_edges(graph: Graph) -> None:
    graph.upsert_nodes(CUSTOMER, [customer(1)])
    graph.upsert_nodes(PRODUCT, [product(10), product(11)])
    graph.create_edges(PURCHASED, [bought(1, 10), bought(1, 11)])

    graph.delete_nodes(PRODUCT, [10])

    assert graph.counts()["Product"] == 1
    assert set(graph.edges(PURCHASED)) == {(1, 11)}


def test_replacing_edges_from_a_node_leaves_exactly_the_new_ones(graph: Graph) -> None:
    graph.upsert_nodes(CUSTOMER, [customer(1), customer(2)])
    graph.upsert_nodes(PRODUCT, [product(10), product(11), product(12)])
    graph.create_edges(PURCHASED, [bought(1, 10), bought(1, 11), bought(2, 10)])

    graph.replace_edges_of(PURCHASED, [1], [bought(1, 12, times=3)])

    edges = graph.edges(PURCHASED)
    assert set(edges) == {(1, 12), (2, 10)}
    assert edges[(1, 12)]["times"] == 3
    assert edges[(1, 12)]["amount"] == pytest.approx(15.3)


def test_replacing_many_sources_changes_them_a_group_at_a_time_and_exactly(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("graph.port.BATCH", 3)  # a full rebuild's groups, in miniature
    graph.upsert_nodes(CUSTOMER, [customer(pk) for pk in range(1, 8)])
    graph.upsert_nodes(PRODUCT, [product(pk) for pk in range(10, 15)])
    graph.create_edges(PURCHASED, [bought(pk, 10) for pk in range(1, 8)])
    wanted = [bought(pk, 10 + (pk + n) % 5) for pk in (1, 2, 3, 4, 6) for n in range(pk % 3 + 1)]

    assert graph.replace_edges_of(PURCHASED, [1, 2, 3, 4, 5, 6], wanted) == len(wanted)

    expected = {(row["from_id"], row["to_id"]) for row in wanted} | {(7, 10)}  # 5 has none now
    assert set(graph.edges(PURCHASED)) == expected


def test_interests_are_one_edge_per_source(graph: Graph) -> None:
    graph.upsert_nodes(CUSTOMER, [customer(1)])
    graph.upsert_nodes(INTEREST, [{"id": 7, "slug": "s/x", "name": "X", "topic": "S", "category_id": 3}])
    rows = [{"from_id": 1, "to_id": 7, "strength": 0.4, "source": "purchases"},
            {"from_id": 1, "to_id": 7, "strength": 1.0, "source": "declared"}]  # fmt: skip

    graph.replace_edges_of(INTERESTED_IN, [1], rows)

    assert set(graph.edges(INTERESTED_IN)) == {(1, 7, "purchases"), (1, 7, "declared")}


def test_an_edge_its_target_owns_is_read_and_replaced_by_its_target(graph: Graph) -> None:
    graph.upsert_nodes(CUSTOMER, [customer(1), customer(2)])
    graph.upsert_nodes(MESSAGE, [message(100, 1), message(101, 2), message(102, 3)])
    graph.create_edges(SENT, [{"from_id": 1, "to_id": 100}, {"from_id": 1, "to_id": 101},
                              {"from_id": 2, "to_id": 102}])  # fmt: skip

    graph.replace_edges_of(SENT, [101], [{"from_id": 2, "to_id": 101}])

    assert set(graph.edges(SENT)) == {(1, 100), (2, 101), (2, 102)}
    assert set(graph.edges(SENT, [101, 102])) == {(2, 101), (2, 102)}
    graph.delete_edges_of(SENT, [100])
    assert set(graph.edges(SENT)) == {(2, 101), (2, 102)}


def test_an_intent_edge_keeps_its_confidence_or_its_absence(graph: Graph) -> None:
    graph.upsert_nodes(MESSAGE, [message(100, 1), message(101, 2)])
    graph.upsert_nodes(INTENT, [{"id": 5, "slug": "refund", "name": "Refund"}])
    rows: list[dict[str, Any]] = [
        {"from_id": 100, "to_id": 5, "confidence": 0.83, "by": "classifier"},
        {"from_id": 101, "to_id": 5, "confidence": None, "by": "staff"},
    ]

    graph.replace_edges_of(HAS_INTENT, [100, 101], rows)

    assert graph.edges(HAS_INTENT) == {
        (100, 5): {"confidence": 0.83, "by": "classifier"},
        (101, 5): {"confidence": None, "by": "staff"},
    }


def test_a_failed_transaction_leaves_the_graph_as_it_was(graph: Graph) -> None:
    graph.upsert_nodes(CUSTOMER, [customer(1)])
    graph.upsert_nodes(PRODUCT, [product(10)])
    graph.create_edges(PURCHASED, [bought(1, 10)])

    def die_half_way() -> None:
        with graph.engine.transaction():
            graph.delete_edges_of(PURCHASED, [1])
            raise RuntimeError("the writer died half-way")

    with pytest.raises(RuntimeError):
        die_half_way()

    assert set(graph.edges(PURCHASED)) == {(1, 10)}


@pytest.fixture
def shop(graph: Graph) -> Graph:
    """Ada and Bob share two products and an interest; Cy shares nothing with Ada."""
    graph.upsert_nodes(CUSTOMER, [customer(1, "Ada"), customer(2, "Bob"), customer(3, "Cy")])
    graph.upsert_nodes(CATEGORY, [{"id": 50, "slug": "christmas", "name": "Christmas"}])
    graph.upsert_nodes(INTEREST, [christmas(50)])
    graph.upsert_nodes(PRODUCT, [product(pk) for pk in (10, 11, 12, 13, 14)] + [product(15, active=False)])
    graph.create_edges(BELONGS_TO, [{"from_id": pk, "to_id": 50} for pk in (10, 11, 12, 13, 14, 15)])
    graph.create_edges(PURCHASED, [
        bought(1, 10, last="2011-12-01T00:00:00Z"), bought(1, 11, last="2011-11-01T00:00:00Z"),
        bought(2, 10), bought(2, 11), bought(2, 12), bought(2, 15),
        bought(3, 13), bought(3, 14), bought(3, 12),
    ])  # fmt: skip
    graph.create_edges(INTERESTED_IN, [
        {"from_id": 1, "to_id": 7, "strength": 0.9, "source": "purchases"},
        {"from_id": 2, "to_id": 7, "strength": 0.5, "source": "purchases"},
    ])  # fmt: skip
    graph.create_edges(SIMILAR_TO, [
        {"from_id": 1, "to_id": 2, "score": 0.8, "shared_products": 2, "shared_interests": 1},
        {"from_id": 2, "to_id": 1, "score": 0.8, "shared_products": 2, "shared_interests": 1},
    ])  # fmt: skip
    graph.create_edges(COMPLEMENTS, [
        {"from_id": 10, "to_id": 13, "count": 9, "lift": 4.0},
        {"from_id": 10, "to_id": 14, "count": 5, "lift": 6.0},
        {"from_id": 10, "to_id": 11, "count": 5, "lift": 2.0},
    ])  # fmt: skip
    return graph


def test_similar_customers_come_with_what_explains_them(shop: Graph) -> None:
    (bob,) = shop.similar_customers(1)

    assert (bob.external_id, bob.name, bob.score) == ("C2", "Bob", pytest.approx(0.8))
    assert {p.sku for p in bob.shared_products} == {"S10", "S11"}
    assert bob.shared_interests == ["Christmas"]
    assert shop.similar_customers(3) == []


def test_candidates_exclude_bought_and_inactive_products(shop: Graph) -> None:
    candidates = shop.recommendation_candidates(1)
    by_strategy: dict[str, list[int]] = {}
    for candidate in candidates:
        by_strategy.setdefault(candidate.strategy, []).append(candidate.product_id)

    assert by_strategy["similar_customers"] == [12]  # 15 is inactive, 10 and 11 bought
    assert by_strategy["complements"] == [14, 13]  # by lift; 11 is already bought
    assert 12 in by_strategy["popular_in_interests"]
    assert not {10, 11, 15} & {c.product_id for c in candidates}
    complement = next(c for c in candidates if c.strategy == "complements")
    assert complement.because == ["PRODUCT 10"]


def test_candidates_for_many_customers_are_each_ones_own(shop: Graph) -> None:
    together = shop.recommendation_candidates_many([1, 2, 3, 1, 99])

    assert set(together) == {1, 2, 3, 99}
    for pk in (1, 2, 3, 99):
        assert together[pk] == shop.recommendation_candidates(pk)
    assert together[99] == []  # not in the graph
    assert {c.product_id for c in together[3] if c.strategy == "similar_customers"} == set()


def test_complements_are_strongest_first(shop: Graph) -> None:
    assert [c.product_id for c in shop.complements(10)] == [14, 13, 11]
    assert shop.complements(10, limit=1)[0].lift == pytest.approx(6.0)


def test_profile_subgraph_is_drawable(shop: Graph) -> None:
    subgraph = shop.profile_subgraph(1)

    ids = {node["id"] for node in subgraph.nodes}
    assert ids == {"customer:C1", "product:S10", "product:S11", "category:christmas",
                   "interest:seasonal/christmas", "customer:C2"}  # fmt: skip
    assert all(edge["source"] in ids and edge["target"] in ids for edge in subgraph.edges)
    assert {edge["type"] for edge in subgraph.edges} == {
        "PURCHASED",
        "BELONGS_TO",
        "INTERESTED_IN",
        "SIMILAR_TO",
    }
    assert "customer:C2" not in {node["id"] for node in shop.profile_subgraph(1, similar=0).nodes}
    assert shop.profile_subgraph(999).nodes == []


@pytest.fixture
def chatty(shop: Graph) -> Graph:
    """Ada wrote twelve messages, one a day; some have an intent, one answers a campaign."""
    shop.upsert_nodes(
        MESSAGE, [message(100 + day, day, "email" if day % 2 else "chat") for day in range(1, 13)]
    )
    shop.upsert_nodes(INTENT, [{"id": 5, "slug": "refund", "name": "Refund"},
                               {"id": 6, "slug": "praise", "name": "Praise"}])  # fmt: skip
    shop.upsert_nodes(CAMPAIGN, [{"id": 9, "name": "Spring sale"}])
    shop.create_edges(SENT, [{"from_id": 1, "to_id": 100 + day} for day in range(1, 13)])
    shop.create_edges(HAS_INTENT, [
        {"from_id": 112, "to_id": 5, "confidence": 0.9, "by": "classifier"},
        {"from_id": 111, "to_id": 5, "confidence": 1.0, "by": "staff"},
        {"from_id": 101, "to_id": 6, "confidence": 0.7, "by": "classifier"},  # too old to show
    ])  # fmt: skip
    shop.create_edges(ABOUT, [{"from_id": 112, "to_id": 9}])
    return shop


def test_profile_subgraph_shows_the_latest_messages_with_their_intents(chatty: Graph) -> None:
    subgraph = chatty.profile_subgraph(1, messages=3)

    nodes = {node["id"]: node for node in subgraph.nodes}
    messages = [node for node in subgraph.nodes if node["label"] == "Message"]
    assert [node["id"] for node in messages] == ["message:112", "message:111", "message:110"]
    assert messages[0] == {"id": "message:112", "label": "Message", "name": "Chat, 2026-11-12",
                           "channel": "chat", "sent_at": "2026-11-12T09:00:00Z",
                           "language": "en"}  # fmt: skip
    assert messages[1]["name"] == "Email, 2026-11-11"
    assert nodes["intent:refund"] == {"id": "intent:refund", "label": "Intent", "name": "Refund"}
    assert "intent:praise" not in nodes
    assert nodes["campaign:9"]["name"] == "Spring sale"
    assert {(edge["source"], edge["target"], edge["type"]) for edge in subgraph.edges} >= {
        ("customer:C1", "message:112", "SENT"),
        ("message:112", "intent:refund", "HAS_INTENT"),
        ("message:111", "intent:refund", "HAS_INTENT"),
        ("message:112", "campaign:9", "ABOUT"),
    }
    intent_edge = next(edge for edge in subgraph.edges if edge["source"] == "message:111")
    assert (intent_edge["confidence"], intent_edge["by"]) == (1.0, "staff")
    assert all(edge["source"] in nodes and edge["target"] in nodes for edge in subgraph.edges)


def test_profile_subgraph_bounds_its_messages_and_may_leave_campaigns_out(chatty: Graph) -> None:
    def labels(subgraph: Any) -> list[str]:
        return [node["label"] for node in subgraph.nodes]

    assert labels(chatty.profile_subgraph(1)).count("Message") == PROFILE_MESSAGE_COUNT
    assert "Campaign" not in labels(chatty.profile_subgraph(1, campaigns=False))
    assert not {"Message", "Intent"} & set(labels(chatty.profile_subgraph(1, messages=0)))
    assert "Message" not in labels(chatty.profile_subgraph(2))


def test_a_profile_with_messages_is_drawn_with_its_intents_named(chatty: Graph) -> None:
    subgraph = chatty.profile_subgraph(1, messages=3)

    svg = str(subgraph_svg(subgraph))

    assert svg.count("<circle") == len(subgraph.nodes) + 7  # every node, and the legend's kinds
    assert ">Refund</text>" in svg
    assert "<title>Message: Chat, 2026-11-12</title>" in svg
    assert "<title>Campaign: Spring sale</title>" in svg


def _stored_names(properties: dict[str, Any]) -> set[str]:
    return {prop.get_db_property_name(name) for name, prop in properties.items()}


def test_neomodel_classes_declare_the_same_schema() -> None:
    for node in NODE_TYPES:
        model = getattr(neo4j_models, node.label)
        assert _stored_names(model.defined_properties(rels=False)) == {"id", *node.properties}, node.label
    for edge in EDGE_TYPES:
        model = neo4j_models.RELATIONSHIP_CLASSES[edge.type]
        assert _stored_names(model.defined_properties()) == set(edge.properties), edge.type
