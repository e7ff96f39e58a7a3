"""Each model version's blend is chosen on its own shop's data: two shops that need different
blends get different ones, and each does better on its own validation split than the other's."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from catalog.models import Category, Product
from customers.models import Customer, InteractionEvent, InteractionKind, Purchase
from recommendations.blending import Blend, OfferAgain, default_blend
from recommendations.dataset import history
from recommendations.tuning import TUNED, WEIGHT_STEPS, Validation, choose_blend, wins_clearly
from tests.support import QUICK

START = datetime(2024, 1, 1, tzinfo=UTC)
WEEKS = 24


def _catalogue(prefix: str, categories: int, per_category: int) -> list[list[int]]:
    """Products by category."""
    found = []
    for c in range(categories):
        category = Category.objects.create(name=f"{prefix} {c}", slug=f"{prefix}-{c}")
        products = Product.objects.bulk_create(
            Product(sku=f"{prefix}-{c}-{p}", name=f"{prefix} {c}/{p}", category=category, price=Decimal(3))
            for p in range(per_category)
        )
        found.append([product.pk for product in products])
    return found


def _customers(prefix: str, count: int) -> list[int]:
    customers = Customer.objects.bulk_create(Customer(external_id=f"{prefix}-{i}") for i in range(count))
    return [customer.pk for customer in customers]


def rebuyers_shop() -> None:
    """Customers who order their own few products again every fortnight, and now and then try
    something new: sale lines with invoices."""
    chooser = random.Random(1)
    products = [pk for category in _catalogue("pantry", 6, 15) for pk in category]
    lines = []
    for customer in _customers("regular", 150):
        basket = chooser.sample(products, 4)
        for order in range(WEEKS // 2):
            moment = START + timedelta(weeks=2 * order, hours=chooser.randrange(200))
            bought = [*chooser.sample(basket, 3), chooser.choice(products)]
            for line, product in enumerate(bought):
                lines.append(Purchase(
                    source="test", external_id=f"{customer}-{order}-{line}", invoice=f"{customer}-{order}",
                    customer_id=customer, product_id=product, quantity=1, unit_price=3, amount=3,
                    purchased_at=moment,
                ))  # fmt: skip
    Purchase.objects.bulk_create(lines)


def one_time_buyers_shop() -> None:
    """Customers who never buy a product twice and keep to a favourite category: purchase events,
    as ``import_interactions`` stores them."""
    chooser = random.Random(2)
    categories = _catalogue("books", 10, 20)
    events = []
    for customer in _customers("reader", 150):
        favourite = chooser.choice(categories)
        others = [pk for category in categories if category is not favourite for pk in category]
        picks = chooser.sample(favourite, 10) + chooser.sample(others, 2)
        for n, product in enumerate(picks):
            moment = START + timedelta(hours=chooser.randrange(WEEKS * 7 * 24))
            events.append(InteractionEvent(
                source="test", external_id=f"{customer}-{n}", customer_id=customer, product_id=product,
                kind=InteractionKind.PURCHASE, occurred_at=moment,
            ))  # fmt: skip
    InteractionEvent.objects.bulk_create(events)


SHOPS = {"re-buyers": rebuyers_shop, "one-time buyers": one_time_buyers_shop}


@pytest.fixture
def quick_model(settings: Any) -> None:
    settings.RECOMMENDER = {**settings.RECOMMENDER, **QUICK}


def _learned(build: Any) -> tuple[Blend, Validation]:
    build()
    data = history()
    return choose_blend(data).blend, Validation.of(data)


@pytest.mark.django_db
def test_shops_that_need_different_blends_learn_them(quick_model: None) -> None:
    rebuyers_blend, rebuyers = _learned(rebuyers_shop)
    for model in (Purchase, Product, Category, Customer):
        model.objects.all().delete()
    one_time_blend, one_time = _learned(one_time_buyers_shop)

    assert rebuyers_blend.weights != one_time_blend.weights
    assert rebuyers_blend.offer_again != OfferAgain.NEVER, "re-buyers are offered their regulars"
    assert one_time_blend.offer_again == OfferAgain.NEVER or not one_time_blend.weights["repeat"]
    assert rebuyers.score(rebuyers_blend) > rebuyers.score(one_time_blend)
    assert one_time.score(one_time_blend) > one_time.score(rebuyers_blend)


@pytest.mark.django_db
@pytest.mark.parametrize("shop", SHOPS)
def test_the_chosen_blend_is_never_below_a_source_alone_nor_the_default(quick_model: None, shop: str) -> None:
    SHOPS[shop]()
    data = history()
    choice = choose_blend(data)
    validation = Validation.of(data)

    figures = {figure["name"]: figure["precision"] for figure in choice.figures}
    assert figures["blend (chosen)"] == max(figures.values())
    assert validation.score(choice.blend) >= validation.score(default_blend())
    assert choice.chosen_on.startswith("the last 4 weeks")


@pytest.mark.django_db
def test_too_little_data_serves_the_default_blend_and_says_why(quick_model: None) -> None:
    [[first]] = _catalogue("tiny", 1, 1)
    [customer] = _customers("tiny", 1)
    InteractionEvent.objects.create(source="test", external_id="1", customer_id=customer, product_id=first,
                                    kind=InteractionKind.PURCHASE, occurred_at=START)  # fmt: skip

    choice = choose_blend(history())

    assert choice.blend == default_blend()
    assert choice.fallback.startswith("Default blend:")
    assert "needed" in choice.fallback


@pytest.mark.django_db
def test_a_source_with_attributed_sales_is_kept_on_and_the_choice_says_so(quick_model: None) -> None:
    one_time_buyers_shop()
    data = history()
    plain = choose_blend(data)
    off = [source for source in TUNED if source != "repeat" and not plain.blend.weights[source]]
    assert off, "the choice switches some source off on this shop"

    kept = choose_blend(data, earning={off[0]})

    assert kept.blend.weights == {**plain.blend.weights, off[0]: min(s for s in WEIGHT_STEPS if s)}
    assert kept.chosen_on.endswith(f"kept on for their attributed sales: {off[0]}")


def test_a_change_is_taken_only_when_it_wins_clearly_not_on_a_few_customers_luck() -> None:
    old = np.zeros(1000)
    lucky = old.copy()
    lucky[:5], lucky[5:9] = 0.1, -0.1  # five customers found one more product, four one fewer
    broad = old + np.where(np.arange(1000) % 4 == 0, 0.1, 0)  # a quarter of them did
    worse = old - np.where(np.arange(1000) % 4 == 0, 0.1, 0)

    assert not wins_clearly((lucky,), (old,))
    assert wins_clearly((broad,), (old,))
    assert not wins_clearly((worse,), (old,))
    assert not wins_clearly((old, old), (old, old))  # a tie everywhere is no win
    assert wins_clearly((old, broad), (old, old))  # precision ties for everyone: NDCG decides
