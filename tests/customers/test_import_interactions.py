from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Product
from customers.models import Customer, CustomerInterest, InteractionEvent, Interest, InterestSource
from graph.port import Graph
from graph.schema import PURCHASED
from graph.services.sync import graph_outbox_drain
from recommendations.cache import customer_generations
from recommendations.dataset import history
from tests.support import reject_reasons

pytestmark = pytest.mark.django_db

LINES = [
    ("u1", "i1", "2024-03-01T10:00:00", "5", "Red Lantern", "lights-candles"),
    ("u1", "i2", "1709287200", "4", "Christmas Bauble", ""),
    ("u2", "i1", "2024-03-02T09:00:00Z", "2", "Red Lantern", "lights-candles"),  # below the threshold
    ("u2", "i3", "not a time", "5", "Tote", ""),
    ("", "i3", "2024-03-02T09:00:00Z", "5", "Tote", ""),
    ("u3", "i3", "2024-03-03T09:00:00Z", "many", "Tote", ""),
    ("u3", "i3", "2024-03-03T09:00:00Z", "4.5", "Tote bag", "Bags"),
]


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "ratings.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["user_id", "item_id", "ts", "stars", "title", "genre"])
        writer.writerows(LINES)
    return path


def _import(path: Path, tmp_path: Path, *extra: str) -> dict[str, object]:
    report = tmp_path / "report.json"
    call_command(
        "import_interactions", str(path), "--customer", "user_id", "--product", "item_id",
        "--timestamp", "ts", "--rating", "stars", "--rating-threshold", "4", "--product-name", "title",
        "--category", "genre", "--rejects", str(tmp_path / "rejects.csv"), "--report", str(report), *extra,
        stdout=StringIO(),
    )  # fmt: skip
    summary: dict[str, object] = json.loads(report.read_text())
    return summary


def test_lines_are_mapped_kept_by_rating_and_rejected_with_reasons(tmp_path: Path) -> None:
    summary = _import(_write(tmp_path), tmp_path)

    assert summary["stored"] == 3
    assert summary["rejected"] == {
        "below_threshold": 1,
        "bad_time": 1,
        "missing_customer": 1,
        "bad_rating": 1,
    }
    rejects = list(csv.reader((tmp_path / "rejects.csv").open()))
    assert [row[-1] for row in rejects[1:]] == [
        "below_threshold",
        "bad_time",
        "missing_customer",
        "bad_rating",
    ]
    lantern = Product.objects.get(sku="i1")
    assert (lantern.name, lantern.category.slug if lantern.category else None) == (
        "Red Lantern",
        "lights-candles",
    )
    assert Product.objects.get(sku="i3").category.name == "Bags"  # type: ignore[union-attr]
    event = InteractionEvent.objects.get(customer__external_id="u1", product__sku="i2")
    assert event.occurred_at.isoformat() == "2024-03-01T10:00:00+00:00"
    assert event.metadata == {"rating": 4.0}
    assert set(Customer.objects.values_list("external_id", flat=True)) == {"u1", "u3"}  # u2 had no kept line


def test_importing_again_stores_nothing_twice(tmp_path: Path) -> None:
    path = _write(tmp_path)
    _import(path, tmp_path)

    again = _import(path, tmp_path)

    assert (again["stored"], again["duplicate"]) == (0, 3)
    assert InteractionEvent.objects.count() == 3


def test_imported_interactions_are_what_the_recommender_learns_from(tmp_path: Path) -> None:
    _import(_write(tmp_path), tmp_path)

    learned = {
        (Customer.objects.get(pk=i.customer_id).external_id, i.product_id) for i in history().interactions()
    }

    assert len(learned) == 3


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("who,what,when\nu1,i1,2024-03-01\n")

    with pytest.raises(CommandError, match="lacks the column"):
        _import(path, tmp_path)


def test_a_threshold_without_a_rating_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--rating-threshold needs --rating"):
        call_command(
            "import_interactions", str(_write(tmp_path)), "--customer", "user_id", "--product", "item_id",
            "--timestamp", "ts", "--rating-threshold", "3", stdout=StringIO(),
        )  # fmt: skip


def test_times_and_quantities_outside_sane_ranges_are_rejected_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "user_id,item_id,ts,qty\n"
        "u1,i1,2024-03-01T10:00:00Z,2\n"
        "u1,i1,0001-01-01T00:00:00Z,2\n"
        "u1,i1,9999-12-31T00:00:00Z,2\n"
        "u1,i1,99999999999,2\n"
        "u1,i1,2024-03-01T10:00:00Z,100000000000000\n"
    )
    call_command(
        "import_interactions", str(path), "--customer", "user_id", "--product", "item_id",
        "--timestamp", "ts", "--quantity", "qty", "--rejects", str(tmp_path / "rejects.csv"),
        stdout=StringIO(),
    )  # fmt: skip

    assert reject_reasons(tmp_path / "rejects.csv") == {
        "3": "time_too_early",
        "4": "time_in_future",
        "5": "time_in_future",
        "6": "quantity_too_large",
    }
    assert list(InteractionEvent.objects.values_list("metadata", flat=True)) == [{"quantity": 2}]


def test_a_shops_own_categories_are_created_with_their_interests(tmp_path: Path) -> None:
    path = tmp_path / "films.csv"
    path.write_text(
        "user_id,item_id,ts,title,genre\n"
        "u1,m1,2024-03-01T10:00:00Z,Star Wars (1977),Sci-Fi\n"
        "u1,m2,2024-03-01T10:00:00Z,Alien (1979),sci-fi\n"
        "u2,m3,2024-03-01T10:00:00Z,Casablanca (1942),Film Noir\n"
    )
    call_command(
        "import_interactions", str(path), "--customer", "user_id", "--product", "item_id",
        "--timestamp", "ts", "--product-name", "title", "--category", "genre",
        "--rejects", str(tmp_path / "rejects.csv"), stdout=StringIO(),
    )  # fmt: skip

    categories = {sku: Product.objects.get(sku=sku).category for sku in ("m1", "m2", "m3")}
    assert categories["m1"] == categories["m2"], "one category, whatever the case it is written in"
    assert [c.name for c in (categories["m1"], categories["m3"])] == ["Sci-Fi", "Film Noir"]  # type: ignore[union-attr]
    assert {c.parent.slug for c in categories.values()} == {"shop-categories"}  # type: ignore[union-attr]
    assert Interest.objects.filter(product_category__in=categories.values()).count() == 2


def test_imported_purchases_reach_interests_the_graph_and_cached_recommendations(
    tmp_path: Path, graph: Graph, django_capture_on_commit_callbacks: Any
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "user_id,item_id,ts,qty,title\n"
        "u1,i1,2024-03-01T10:00:00Z,2,Christmas Bauble\n"
        "u1,i2,2024-03-02T10:00:00Z,1,Red Lantern\n"
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "import_interactions", str(path), "--customer", "user_id", "--product", "item_id",
            "--timestamp", "ts", "--quantity", "qty", "--product-name", "title",
            "--rejects", str(tmp_path / "rejects.csv"), stdout=StringIO(),
        )  # fmt: skip

    buyer = Customer.objects.get(external_id="u1")
    assert customer_generations([buyer.pk]) == {buyer.pk: 1}  # its cached recommendations dropped
    inferred = CustomerInterest.objects.current().filter(customer=buyer, source=InterestSource.PURCHASES)
    assert set(inferred.values_list("interest__slug", flat=True)) == {"christmas", "lights-candles"}
    graph_outbox_drain(graph=graph)
    products = Product.objects.filter(sku__in=["i1", "i2"]).values_list("pk", flat=True)
    assert set(graph.edges(PURCHASED, [buyer.pk])) == {(buyer.pk, pk) for pk in products}
