"""Feedback changes what a customer is served at once, in every strategy and in emails, and what
the next training learns from."""

from __future__ import annotations

from typing import Any

import pytest

from campaigns.selectors import personalization_for
from catalog.models import Product
from customers.models import FeedbackKind, Purchase
from customers.services.feedback import product_feedback_give
from recommendations.dataset import history
from recommendations.services import model_version_train
from recommendations.serving import STRATEGIES, recommendations_for
from tests.factories import Store
from tests.support import QUICK
from visionboards.models import BoardStatus, VisionBoard
from visionboards.services import vision_board_refresh, vision_board_render, vision_board_request


@pytest.fixture
def say(django_capture_on_commit_callbacks: Any) -> Any:
    """Give feedback as the API does, with what follows its commit."""

    def give(customer_id: int, product_id: int, kind: FeedbackKind) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            product_feedback_give(customer_id=customer_id, product_id=product_id, kind=kind)

    return give


def test_not_for_me_is_never_served_again_by_any_strategy_nor_in_emails(trained: Store, say: Any) -> None:
    # given
    customer = trained.customer
    top = recommendations_for(customer.pk, limit=10).items[0]
    emailed = {product.sku for product in personalization_for(customer).recommendations}
    assert top.sku in emailed

    # when
    say(customer.pk, top.product_id, FeedbackKind.NOT_FOR_ME)

    # then
    for strategy in STRATEGIES:
        served = recommendations_for(customer.pk, limit=50, strategy=strategy).items
        assert served, strategy
        assert top.product_id not in {item.product_id for item in served}, strategy
    assert top.sku not in {product.sku for product in personalization_for(customer).recommendations}


def test_not_for_me_holds_even_for_a_product_bought_again_and_again(trained: Store, say: Any) -> None:
    customer = trained.customer
    regular = next(i for i in recommendations_for(customer.pk, limit=50).items if i.strategy == "repeat")

    say(customer.pk, regular.product_id, FeedbackKind.NOT_FOR_ME)

    served = recommendations_for(customer.pk, limit=50).items
    assert regular.product_id not in {item.product_id for item in served}


def test_more_like_this_brings_similar_products_up_with_its_reason(store: Store, say: Any) -> None:
    # given: a product the customer never bought, with others named like it
    customer = store.customer
    bought = set(Purchase.objects.filter(customer=customer).values_list("product_id", flat=True))
    asked = next(
        p for p in Product.objects.filter(name__icontains="CHRISTMAS").order_by("pk") if p.pk not in bought
    )
    before = [item.product_id for item in recommendations_for(customer.pk, limit=10).items]

    # when
    say(customer.pk, asked.pk, FeedbackKind.MORE_LIKE_THIS)

    # then
    after = recommendations_for(customer.pk, limit=10).items
    liked = [item for item in after if item.strategy == "more_like_this"]
    assert liked
    assert {item.reason for item in liked} == {f"More like {asked.name}, as you asked"}
    ranks = [item.product_id for item in after]
    assert any(
        pk not in before or ranks.index(pk) < before.index(pk) for pk in (item.product_id for item in liked)
    ), "products like it came up"
    assert all("CHRISTMAS" in Product.objects.get(pk=item.product_id).name for item in liked[:1])


def test_feedback_counts_as_signals_at_the_next_training(trained: Store, say: Any) -> None:
    # given: a product the customer bought that it now says is not for it, and one it asks more like
    customer = trained.customer
    unwanted = Purchase.objects.filter(customer=customer).values_list("product_id", flat=True).first()
    assert unwanted is not None
    bought = set(Purchase.objects.filter(customer=customer).values_list("product_id", flat=True))
    wanted = (
        Product.objects.exclude(pk__in=bought).exclude(purchases__isnull=True).values_list("pk", flat=True)[0]
    )
    say(customer.pk, unwanted, FeedbackKind.NOT_FOR_ME)
    say(customer.pk, wanted, FeedbackKind.MORE_LIKE_THIS)

    # when
    newer = model_version_train(parameters=QUICK)

    # then: the pair that is not for it is no positive; the asked one is, at full weight
    pairs = {(i.customer_id, i.product_id): i.weight for i in history().interactions()}
    assert (customer.pk, unwanted) not in pairs
    assert (customer.pk, wanted) in pairs
    data = history()
    asked = [s for s in data.signals if (s.customer_id, s.product_id) == (customer.pk, wanted)]
    assert [s.moment <= max(p.moment for p in data.purchases) for s in asked] == [True]
    served = recommendations_for(customer.pk, limit=50)
    assert served.model_version == newer.pk
    assert unwanted not in {item.product_id for item in served.items}


def test_the_board_is_drawn_again_without_a_product_not_for_the_customer(store: Store, say: Any) -> None:
    # given: a ready board
    customer = store.customer
    vision_board_render(vision_board_request(customer.pk, queue=False).pk)
    board = VisionBoard.objects.get(customer=customer, status=BoardStatus.READY)
    unwanted = Product.objects.get(pk=recommendations_for(customer.pk, limit=1).items[0].product_id)
    assert unwanted.sku in _skus(board)

    # when: the customer says a product recommended on it is not for it; the debounced refresh runs
    say(customer.pk, unwanted.pk, FeedbackKind.NOT_FOR_ME)
    redrawn = vision_board_refresh(customer.pk)
    assert redrawn is not None
    vision_board_render(redrawn.pk)

    # then
    redrawn.refresh_from_db()
    assert redrawn.version == board.version + 1
    assert _skus(redrawn)
    assert unwanted.sku not in _skus(redrawn)


def _skus(board: VisionBoard) -> list[str]:
    return [
        sku for section in board.layout["formats"]["screen"]["sections"] for sku in section.get("skus", [])
    ]
