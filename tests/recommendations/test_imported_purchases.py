"""A shop whose purchases arrive through ``import_interactions`` (purchase events, no sale lines)
is served like one whose purchases are sale lines: what a customer has is never offered as new,
and an import refreshes what was cached."""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from catalog.models import Product
from customers.models import Customer, InteractionEvent, InteractionKind
from customers.ownership import acquisitions, orders_of
from recommendations.blending import OfferAgain
from recommendations.selectors import live_market
from recommendations.services import market_refresh, model_version_train
from recommendations.serving import recommendations_for_many
from tests.factories import serve_blend
from tests.support import QUICK

pytestmark = pytest.mark.django_db


def _import(path: Path, rows: list[tuple[str, str, str]]) -> None:
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["user", "item", "when"])
        writer.writerows(rows)
    call_command(
        "import_interactions", str(path), "--customer", "user", "--product", "item", "--timestamp", "when",
        "--rejects", str(path.with_suffix(".rejects.csv")), stdout=StringIO(),
    )  # fmt: skip


def _purchases(customers: int = 60, items: int = 40, each: int = 8) -> list[tuple[str, str, str]]:
    """Customers who each buy a few items once, over ten weeks of 2024."""
    chooser = random.Random(5)
    return [
        (f"u{c}", f"item-{i}", f"2024-03-{1 + day % 28:02d}T{10 + day % 8}:00:00")
        for c in range(customers)
        for day, i in enumerate(chooser.sample(range(items), each), start=c)
    ]


@pytest.fixture
def imported(tmp_path: Path, graph: Any) -> dict[int, set[int]]:
    """The shop imported and trained; what each customer has."""
    _import(tmp_path / "purchases.csv", _purchases())
    model_version_train(parameters=QUICK)
    return {pk: set(products) for pk, products in orders_of(acquisitions()).items()}


def test_imported_purchases_are_never_offered_as_new(imported: dict[int, set[int]]) -> None:
    assert InteractionEvent.objects.count() == len(_purchases())

    served = recommendations_for_many(list(imported), limit=10)

    assert all(result.items for result in served.values())
    for pk, result in served.items():
        for item in result.items:
            if item.product_id in imported[pk]:  # only as what it is: something to buy again
                assert item.reason.startswith("Time to stock up"), (pk, item)


def test_with_nothing_offered_again_no_imported_purchase_comes_back(imported: dict[int, set[int]]) -> None:
    serve_blend(offer_again=OfferAgain.NEVER)

    served = recommendations_for_many(list(imported), limit=10)

    offered_again = [
        (pk, i.product_id) for pk, r in served.items() for i in r.items if i.product_id in imported[pk]
    ]
    assert offered_again == []


def test_an_import_refreshes_cached_answers_and_figures(
    imported: dict[int, set[int]], tmp_path: Path
) -> None:
    serve_blend(offer_again=OfferAgain.NEVER)
    customer = Customer.objects.get(external_id="u0")
    first = recommendations_for_many([customer.pk], limit=10)[customer.pk]
    top = first.items[0].product_id
    top_sku = Product.objects.get(pk=top).sku
    newcomers = [(f"v{n}", "item-new", "2024-05-20T10:00:00") for n in range(30)]  # a new bestseller

    _import(tmp_path / "more.csv", [(customer.external_id, top_sku, "2024-05-20T09:00:00"), *newcomers])

    after = recommendations_for_many([customer.pk], limit=10)[customer.pk]
    skus = [item.sku for item in after.items]
    assert top not in {item.product_id for item in after.items}, "what it just bought is not offered"
    assert "item-new" in skus, "the new bestseller is counted"


def test_purchases_one_by_one_reach_the_figures_at_the_next_refresh(imported: dict[int, set[int]]) -> None:
    blend = serve_blend(popular_days=None)  # all time: one more buyer is one more
    before = live_market(blend).popularity
    buyer = Customer.objects.get(external_id="u1")
    product = Product.objects.exclude(pk__in=imported[buyer.pk]).order_by("pk").first()
    assert product is not None
    moment = datetime(2024, 3, 10, tzinfo=UTC)
    InteractionEvent.objects.create(source="api", external_id="one-more", customer=buyer, product=product,
                                    kind=InteractionKind.PURCHASE, occurred_at=moment)  # fmt: skip
    assert live_market(blend).popularity == before, "cached until refreshed"

    market_refresh()  # what beat's task does every few minutes

    assert live_market(blend).popularity.get(product.pk, 0) == before.get(product.pk, 0) + 1
