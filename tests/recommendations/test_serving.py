from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.core.cache import cache
from django.db.models import Count

from catalog.models import Category, Product
from customers.models import Customer, CustomerInterest, Interest, InterestSource, Purchase
from customers.services.activity import PurchaseRow, purchases_record
from recommendations.blending import OfferAgain
from recommendations.selectors import active_recommender, live_market, products_unknown_to
from recommendations.services import model_version_train
from recommendations.serving import recommendations_for, recommendations_for_many
from tests.factories import Store, serve_blend
from tests.support import QUICK


def test_model_reasons_name_products_the_customer_really_bought(trained: Store) -> None:
    result = recommendations_for(trained.customer.pk, limit=50, strategy="model")

    bought = set(Purchase.objects.filter(customer=trained.customer).values_list("product__name", flat=True))
    from_model = [item for item in result.items if item.strategy == "model"]
    assert result.mode == "model"
    assert result.model_version == trained.version.pk  # type: ignore[union-attr]
    explained = [item for item in from_model if item.reason.startswith("Because you bought ")]
    assert explained
    for item in explained:
        assert item.reason.removeprefix("Because you bought ") in bought
    for item in from_model:  # the rest are bought products of a re-purchase kind
        assert item in explained or item.reason.startswith("Time to stock up: you have bought it")


def test_bought_products_come_back_only_when_they_are_bought_again_and_again(trained: Store) -> None:
    blend = serve_blend(offer_again=OfferAgain.KINDS)
    items = recommendations_for(trained.customer.pk, limit=30).items

    orders = dict(
        Purchase.objects.filter(customer=trained.customer, kind="sale").values("product_id")
        .annotate(n=Count("invoice", distinct=True)).values_list("product_id", "n")
    )  # fmt: skip
    kinds = live_market(blend).repurchase_kinds(blend.repurchase_share)
    assert any(orders.get(item.product_id) for item in items), "the customer's regulars are offered"
    for item in items:
        if item.product_id in orders:  # a re-purchase kind, or bought on more than one order
            assert item.product_id in kinds or orders[item.product_id] > 1
            assert item.reason.startswith("Time to stock up")


@pytest.mark.parametrize(("share", "bought_once_may_return"), [(1.01, False), (0.0, True)])
def test_a_product_bought_once_returns_only_when_it_is_a_repurchase_kind(
    trained: Store, share: float, bought_once_may_return: bool
) -> None:
    # above 1 no product is a re-purchase kind
    serve_blend(offer_again=OfferAgain.KINDS, repurchase_share=share, max_per_category=100)
    once = set(
        Purchase.objects.filter(customer=trained.customer, kind="sale").values("product_id")
        .annotate(n=Count("invoice", distinct=True)).filter(n=1).values_list("product_id", flat=True)
    )  # fmt: skip

    returned = {item.product_id for item in recommendations_for(trained.customer.pk, limit=100).items} & once

    assert bool(returned) is bought_once_may_return


def test_at_most_n_per_category_and_only_the_asked_category(trained: Store) -> None:
    serve_blend(max_per_category=1)
    items = recommendations_for(trained.customer.pk, limit=10).items
    categories = [item.category for item in items]
    assert len(categories) == len(set(categories))

    serve_blend(max_per_category=50)
    leaf = Category.objects.get(slug=items[0].category)
    only = recommendations_for(trained.customer.pk, limit=5, category_ids=[leaf.pk]).items
    assert only
    assert {item.category for item in only} == {leaf.slug}


def test_inactive_products_are_never_recommended(trained: Store) -> None:
    first = recommendations_for(trained.customer.pk, limit=5).items[0]
    Product.objects.filter(pk=first.product_id).update(active=False)

    again = recommendations_for(trained.customer.pk, limit=50, strategy="model").items

    assert first.product_id not in {item.product_id for item in again}


def test_a_declared_interest_lifts_its_category(trained: Store) -> None:
    customer = trained.customer
    before = recommendations_for(customer.pk, limit=10).items
    interest = (
        Interest.objects.exclude(product_category__slug__in={i.category for i in before})
        .filter(product_category__products__purchases__isnull=False)
        .distinct()
        .first()
    )
    assert interest is not None
    CustomerInterest.objects.create(customer=customer, interest=interest, source=InterestSource.DECLARED,
                                    confidence=1.0)  # fmt: skip

    after = recommendations_for(customer.pk, limit=10, strategy="popular").items

    assert after[0].category == interest.product_category.slug  # type: ignore[union-attr]
    assert after[0].reason == f"Popular with customers who love {interest.name}"


def test_without_a_model_the_graph_neighbours_and_popularity_answer(store: Store, settings: Any) -> None:
    settings.RECOMMENDATIONS_MAX_PER_CATEGORY = 100
    result = recommendations_for(store.customer.pk, limit=100)

    assert (result.mode, result.model_version, result.degraded) == ("no_model", None, ["no_model"])
    assert result.items
    assert {item.strategy.split(":")[0] for item in result.items} <= {
        "repeat",
        "graph",
        "neighbours",
        "companions",
        "content",
        "popular_in_interests",
        "popular",
    }
    assert any(item.strategy.startswith("graph:") for item in result.items)
    assert "model" not in {item.strategy for item in result.items}


def test_without_the_graph_the_model_and_popularity_answer(trained: Store, graph_down: None) -> None:
    result = recommendations_for(trained.customer.pk, limit=10)

    assert (result.mode, result.degraded) == ("no_graph", ["graph_unavailable"])
    assert result.items
    assert not any(item.strategy.startswith("graph:") for item in result.items)


def _newcomer(external_id: str) -> tuple[Customer, Interest]:
    """A customer with no history, a country and one declared interest in a category that sells."""
    newcomer = Customer.objects.create(external_id=external_id, country="United Kingdom")
    interest = Interest.objects.filter(product_category__products__purchases__isnull=False).distinct().first()
    assert interest is not None
    CustomerInterest.objects.create(customer=newcomer, interest=interest, source=InterestSource.DECLARED,
                                    confidence=1.0)  # fmt: skip
    return newcomer, interest


def test_a_new_customer_gets_declared_interests_then_bestsellers(store: Store) -> None:
    newcomer, interest = _newcomer("new-1")

    result = recommendations_for(newcomer.pk, limit=20)

    assert result.mode == "new_customer"
    assert result.items[0].reason == f"Popular with customers who love {interest.name}"
    assert any(item.strategy == "popular" for item in result.items)


def test_a_customer_created_after_training_is_scored_through_its_features(trained: Store) -> None:
    newcomer, interest = _newcomer("new-2")

    result = recommendations_for(newcomer.pk, limit=20, strategy="model")

    folded_in = [item for item in result.items if item.strategy == "model"]
    assert result.mode == "new_customer"
    assert folded_in, "the model scored the newcomer through its country and interest"
    assert folded_in[0].reason == f"Picked for your interest in {interest.name}"


def test_a_new_purchase_and_a_new_model_refresh_the_cached_answer(
    trained: Store, django_capture_on_commit_callbacks: Any
) -> None:
    customer = trained.customer
    blend = serve_blend()
    first = recommendations_for(customer.pk, limit=30)
    bought = set(Purchase.objects.filter(customer=customer).values_list("product_id", flat=True))
    kinds = live_market(blend).repurchase_kinds(blend.repurchase_share)
    fresh = (i.product_id for i in first.items if i.product_id not in kinds | bought)
    top = Product.objects.get(pk=next(fresh))
    assert recommendations_for(customer.pk, limit=30) == first  # served from the cache

    with django_capture_on_commit_callbacks(execute=True):
        purchases_record([PurchaseRow(
            source="test", external_id="fresh-1", invoice="X1", kind="sale", customer_id=customer.pk,
            product_id=top.pk, quantity=1, unit_price=top.price, amount=top.price, currency="GBP",
            purchased_at=Purchase.objects.latest("purchased_at").purchased_at, metadata={},
        )], recompute_interests=False)  # fmt: skip
    after_purchase = recommendations_for(customer.pk, limit=30)
    assert top.pk not in {item.product_id for item in after_purchase.items}

    newer = model_version_train(parameters={**QUICK, "random_state": 99})
    after_switch = recommendations_for(customer.pk, limit=30)
    assert after_switch.model_version == newer.pk != first.model_version


@pytest.mark.parametrize(
    ("strategy", "sources"),
    [("model", {"model"}), ("graph", {"graph"}), ("popular", {"popular", "popular_in_interests"})],
)
def test_each_strategy_can_be_asked_for_alone(trained: Store, strategy: str, sources: set[str]) -> None:
    items = recommendations_for(trained.customer.pk, limit=5, strategy=strategy).items

    assert items
    assert {item.strategy.split(":")[0] for item in items} <= sources


def test_a_product_created_after_training_is_scored_through_its_features(trained: Store) -> None:
    bought = Purchase.objects.filter(customer=trained.customer).select_related("product").first()
    assert bought is not None
    newcomer = Product.objects.create(
        sku="NEW-1", name="NEW LANTERN", category=bought.product.category, price=2
    )
    active = active_recommender()
    assert active is not None
    version, model, _ = active

    unknown = products_unknown_to(model, version)
    scores = model.score_new_products({trained.customer.pk: {}}, [newcomer.pk])

    assert newcomer.pk in unknown
    assert scores[trained.customer.pk].shape == (1,)
    assert np.isfinite(scores[trained.customer.pk][0])


def test_a_batch_recommends_each_customer_what_it_would_alone(trained: Store) -> None:
    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[:12])
    newcomer = Customer.objects.create(external_id="NEW-1")  # no history: the new-customer path
    batch = [*customers, newcomer.pk]

    cache.clear()
    together = recommendations_for_many(batch, limit=10)
    cache.clear()
    alone = {pk: recommendations_for(pk, limit=10) for pk in batch}

    assert together == alone
    assert {result.mode for result in together.values()} >= {"blended", "new_customer"}
    assert all(result.items for result in together.values())
