from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from customers.models import Customer, InteractionEvent, InteractionKind
from customers.services.customers import customer_update
from graph.engine import GraphUnavailable
from graph.models import GraphChange
from graph.port import Graph, close_graph, get_graph
from graph.schema import CUSTOMER, INTERESTED_IN, PRODUCT, PURCHASED
from graph.services.recovery import embedded_graph_ensure, graph_rebuild, graph_repair, graph_verify
from graph.services.sync import SyncCounts, drain_after_commit, graph_outbox_drain
from graph.tasks import drain_graph_outbox
from tests.factories import SOLD_AT, Shop


def test_created_rows_reach_the_graph_with_their_edges(shop: Shop, graph: Graph) -> None:
    counts = graph_outbox_drain(graph=graph)

    ada, bob = shop.customers["ada"], shop.customers["bob"]
    assert counts.changes > 0
    assert not GraphChange.objects.exists()
    assert graph.nodes(CUSTOMER)[ada] == {"external_id": "ada", "name": "Ada", "country": "United Kingdom"}
    edges = graph.edges(PURCHASED)
    assert set(edges) == {(ada, shop.products["85123A"]), (ada, shop.products["22086"]),
                          (bob, shop.products["85123A"]), (bob, shop.products["22086"]),
                          (bob, shop.products["21212"])}  # fmt: skip
    assert edges[(ada, shop.products["85123A"])] == {
        "times": 1, "quantity": 2, "amount": 5.1,
        "first_purchase": "2011-12-01T08:26:00Z", "last_purchase": "2011-12-01T08:26:00Z",
    }  # fmt: skip
    assert {key[0] for key in graph.edges(INTERESTED_IN)} == {ada, bob}


def test_updates_and_deletes_follow(shop: Shop, graph: Graph) -> None:
    graph_outbox_drain(graph=graph)
    ada = Customer.objects.get(external_id="ada")

    customer_update(customer=ada, name="Ada Lovelace")
    shop.buy("ada", "85123A", "6", quantity=3, invoice="I-9")
    graph_outbox_drain(graph=graph)

    assert graph.nodes(CUSTOMER, [ada.pk])[ada.pk]["name"] == "Ada Lovelace"
    edge = graph.edges(PURCHASED, [ada.pk])[(ada.pk, shop.products["85123A"])]
    assert (edge["times"], edge["quantity"]) == (2, 5)

    Customer.objects.get(external_id="bob").delete()
    graph_outbox_drain(graph=graph)

    assert set(graph.nodes(CUSTOMER)) == {ada.pk}
    assert {key[0] for key in graph.edges(PURCHASED)} == {ada.pk}


def test_purchase_events_are_purchased_edges_however_they_are_written(shop: Shop, graph: Graph) -> None:
    graph_outbox_drain(graph=graph)
    ada, holder, cases = shop.customers["ada"], shop.products["85123A"], shop.products["21212"]
    later = SOLD_AT + timedelta(days=8)

    # an order of something Ada had bought, stored as the events API and the importer store it
    shop.buy_by_event("ada", "85123A", "e-1", at=later)
    # and one of something new, saved a row at a time as the admin saves it
    event = InteractionEvent.objects.create(
        source="test", external_id="e-2", customer_id=ada, product_id=cases, kind=InteractionKind.PURCHASE,
        occurred_at=later, metadata={"quantity": 3},
    )  # fmt: skip
    graph_outbox_drain(graph=graph)

    edges = graph.edges(PURCHASED, [ada])
    assert edges[(ada, holder)] == {
        "times": 2, "quantity": 3, "amount": 5.1,
        "first_purchase": "2011-12-01T08:26:00Z", "last_purchase": "2011-12-09T08:26:00Z",
    }  # fmt: skip
    assert edges[(ada, cases)] == {
        "times": 1, "quantity": 3, "amount": 0.0,
        "first_purchase": "2011-12-09T08:26:00Z", "last_purchase": "2011-12-09T08:26:00Z",
    }  # fmt: skip
    assert not graph_verify(graph).drifted  # what a rebuild, verify and repair read

    event.delete()
    graph_outbox_drain(graph=graph)

    assert set(graph.edges(PURCHASED, [ada])) == {(ada, holder), (ada, shop.products["22086"])}


def test_changes_whose_drain_never_ran_are_drained_later(
    db: None, graph: Graph, django_capture_on_commit_callbacks: Any
) -> None:
    # given a change whose after-commit drain is never published (as when the broker is down)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        customer = Customer.objects.create(external_id="late", name="Late")
    assert drain_after_commit in callbacks
    assert graph.nodes(CUSTOMER) == {}

    # when beat's periodic drain runs
    drained = drain_graph_outbox()

    # then the change is in the graph and the outbox is empty
    assert drained == 1
    assert graph.nodes(CUSTOMER)[customer.pk]["name"] == "Late"
    assert not GraphChange.objects.exists()


@pytest.mark.usefixtures("redis_down")
def test_without_the_cache_no_rebuild_starts_and_the_drains_leave_the_outbox(db: None, graph: Graph) -> None:
    Customer.objects.create(external_id="late", name="Late")

    with pytest.raises(GraphUnavailable, match="cache is down"):
        graph_rebuild()
    assert graph_outbox_drain(graph=graph) == SyncCounts()  # a rebuild may be running: nobody can tell
    assert GraphChange.objects.exists()


def test_a_lost_graph_is_rebuilt_from_postgresql_with_the_same_counts(shop: Shop, graph: Graph) -> None:
    first = graph_rebuild()
    get_graph().clear()
    assert get_graph().counts()["PURCHASED"] == 0

    rebuilt = graph_rebuild()

    assert rebuilt.counts == first.counts
    assert (first.counts["Customer"], first.counts["PURCHASED"]) == (2, 5)
    assert get_graph().counts() == first.counts


@pytest.mark.embedded_graph
def test_a_deleted_graph_is_rebuilt_with_the_same_counts(shop: Shop, graph: Graph) -> None:
    first = graph_rebuild()
    close_graph()
    shutil.rmtree(settings.GRAPH_DIR)
    with pytest.raises(GraphUnavailable):
        get_graph()

    rebuilt = embedded_graph_ensure()

    assert rebuilt is not None
    assert rebuilt.counts == first.counts
    assert first.counts["Customer"] == 2
    assert first.counts["PURCHASED"] == 5
    assert get_graph().counts() == first.counts


@pytest.mark.embedded_graph
def test_an_unreadable_graph_is_rebuilt_at_start(shop: Shop, graph: Graph) -> None:
    built = graph_rebuild()
    close_graph()
    Path(built.location).write_bytes(b"not a graph database" * 1000)
    with pytest.raises(GraphUnavailable, match="Cannot open the embedded graph"):
        get_graph()

    rebuilt = embedded_graph_ensure()

    assert rebuilt is not None
    assert rebuilt.location != built.location
    assert get_graph().counts() == built.counts


def test_verify_finds_injected_drift_and_repair_fixes_it(shop: Shop, graph: Graph) -> None:
    graph_rebuild()
    graph = get_graph()
    assert not graph_verify(graph).drifted
    ada, bob = shop.customers["ada"], shop.customers["bob"]

    graph.upsert_nodes(CUSTOMER, [{"id": ada, "external_id": "ada", "name": "Mallory", "country": ""}])
    graph.upsert_nodes(PRODUCT, [{"id": 999_999, "sku": "X", "name": "GHOST", "price": 1.0, "active": True}])
    graph.delete_edges_of(PURCHASED, [bob])

    report = graph_verify(graph)
    drifted = {kind.kind: kind for kind in report.kinds if kind.drifted}
    assert set(drifted) == {"Customer", "Product", "PURCHASED"}
    assert drifted["Customer"].differing == [ada]
    assert drifted["Product"].found == drifted["Product"].expected + 1
    assert len(drifted["PURCHASED"].missing) == 3

    repaired = graph_repair(graph)

    assert {kind.kind for kind in repaired.kinds if kind.drifted} == set(drifted)
    assert not graph_verify(graph).drifted
