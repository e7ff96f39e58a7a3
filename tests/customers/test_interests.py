from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from model_bakery import baker

from catalog.models import Category, Product
from customers.models import Customer, CustomerInterest, InteractionKind, Interest, InterestSource, Purchase
from customers.selectors import customer_interest_profile
from customers.services.activity import EventRow, PurchaseRow, events_record, purchases_record
from customers.services.interests import (
    InterestValue,
    customer_interests_apply,
    inferred_confidences,
    interests_recompute,
)
from customers.tasks import recompute_stale_interests
from tests.factories import buy_by_event

T0 = datetime(2011, 12, 1, tzinfo=UTC)


def test_recent_lines_weigh_more_than_old_ones_of_the_same_size() -> None:
    lines = [(1, 10, T0 - timedelta(days=360))] * 3 + [(2, 10, T0)] * 3

    values = inferred_confidences(lines, half_life_days=90)

    assert values[2].confidence > values[1].confidence * 8
    assert values[2].evidence == {"lines": 3, "quantity": 30, "last_purchase": T0.isoformat()}


def test_one_bulk_order_does_not_outweigh_steady_buying() -> None:
    lines = [(1, 1000, T0)] + [(2, 6, T0)] * 6

    values = inferred_confidences(lines, half_life_days=90)

    assert values[2].confidence > values[1].confidence


def test_confidence_grows_with_evidence_and_stays_in_unit_range() -> None:
    single = inferred_confidences([(1, 5, T0)], half_life_days=90)[1].confidence
    many = inferred_confidences([(1, 5, T0)] * 8, half_life_days=90)[1].confidence

    assert 0 < single < many <= 1


@pytest.fixture
def christmas() -> Interest:
    category = baker.make(Category, slug="christmas", parent=baker.make(Category, slug="seasonal"))
    return baker.make(Interest, slug="christmas", product_category=category)


@pytest.mark.django_db
def test_an_update_keeps_the_old_value_and_the_past_profile_can_be_read(christmas: Interest) -> None:
    customer = baker.make(Customer)

    def declare(confidence: float) -> None:
        customer_interests_apply(
            source=InterestSource.DECLARED,
            values_by_customer={customer.pk: [InterestValue(christmas.pk, confidence)]},
            replace=False,
        )

    # given a declared interest, later changed
    declare(0.4)
    between = timezone.now()
    declare(0.9)

    # then both versions are kept and each moment sees its own value
    assert CustomerInterest.objects.filter(customer=customer).count() == 2
    assert [r.confidence for r in customer_interest_profile(customer_id=customer.pk, at=between)] == [0.4]
    assert [r.confidence for r in customer_interest_profile(customer_id=customer.pk)] == [0.9]
    assert not customer_interest_profile(customer_id=customer.pk, at=between - timedelta(days=1)).exists()

    # and re-applying the current value writes nothing
    declare(0.9)
    assert CustomerInterest.objects.filter(customer=customer).count() == 2


@pytest.mark.django_db
def test_recompute_from_purchases_follows_new_sales_and_closes_stale_interests(christmas: Interest) -> None:
    customer = baker.make(Customer)
    bags = baker.make(Interest, slug="bags", product_category=baker.make(Category, slug="bags"))
    bauble = baker.make(Product, category=christmas.product_category)
    tote = baker.make(Product, category=bags.product_category)

    def buy(product: Product, when: datetime, ref: str) -> None:
        Purchase.objects.create(
            source="test",
            external_id=ref,
            customer=customer,
            product=product,
            quantity=3,
            unit_price=Decimal(1),
            amount=Decimal(3),
            purchased_at=when,
        )

    buy(bauble, T0, "1")
    interests_recompute([customer.pk])
    before = {r.interest_id: r.confidence for r in customer_interest_profile(customer_id=customer.pk)}
    assert set(before) == {christmas.pk}

    buy(tote, T0 + timedelta(days=200), "2")
    buy(tote, T0 + timedelta(days=201), "3")
    interests_recompute([customer.pk])

    now = {r.interest_id: r.confidence for r in customer_interest_profile(customer_id=customer.pk)}
    assert now[bags.pk] > now[christmas.pk]
    assert now[christmas.pk] < before[christmas.pk]
    history = CustomerInterest.objects.filter(customer=customer, interest=christmas)
    assert history.count() == 2
    assert history.current().count() == 1


@pytest.mark.django_db
def test_purchase_events_are_evidence_with_their_quantity_or_one(christmas: Interest) -> None:
    customer = baker.make(Customer)
    bauble = baker.make(Product, category=christmas.product_category)
    buy_by_event(customer.pk, bauble.pk, "e-1", quantity=4, at=T0)
    buy_by_event(customer.pk, bauble.pk, "e-2", at=T0 + timedelta(days=1))

    interests_recompute([customer.pk])

    (inferred,) = customer_interest_profile(customer_id=customer.pk)
    assert (inferred.interest_id, inferred.source) == (christmas.pk, InterestSource.PURCHASES)
    assert inferred.evidence == {
        "lines": 2, "quantity": 5, "last_purchase": (T0 + timedelta(days=1)).isoformat()
    }  # fmt: skip


def _sale(customer_id: int, product_id: int) -> None:
    purchases_record([PurchaseRow(
        source="api", external_id="p-1", invoice="", kind="sale", customer_id=customer_id,
        product_id=product_id, quantity=2, unit_price=Decimal(1), amount=Decimal(2), currency="GBP",
        purchased_at=T0, metadata={},
    )])  # fmt: skip


def _purchase_event(customer_id: int, product_id: int) -> None:
    events_record([EventRow(
        source="api", external_id="e-1", customer_id=customer_id, product_id=product_id,
        kind=InteractionKind.PURCHASE, occurred_at=T0, metadata={"quantity": 2},
    )])  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("record", [_sale, _purchase_event], ids=["sale", "purchase event"])
def test_purchases_whose_recompute_never_ran_are_caught_up_by_the_periodic_drain(
    christmas: Interest, record: Callable[[int, int], None]
) -> None:
    # given a purchase recorded through the service, whose on-commit task never ran
    # (the test transaction never commits, as if the broker had been down)
    customer = baker.make(Customer)
    bauble = baker.make(Product, category=christmas.product_category)
    record(customer.pk, bauble.pk)
    customer.refresh_from_db()
    assert customer.interests_stale_at is not None
    assert not customer_interest_profile(customer_id=customer.pk).exists()

    # when beat runs the drain
    drained = recompute_stale_interests()

    # then the customer's interests are there and the mark is gone
    assert drained == 1
    assert [r.interest_id for r in customer_interest_profile(customer_id=customer.pk)] == [christmas.pk]
    customer.refresh_from_db()
    assert customer.interests_stale_at is None
    assert recompute_stale_interests() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_one_customer_take_turns(christmas: Interest) -> None:
    customer = baker.make(Customer)
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def declare(confidence: float) -> None:
        try:
            start.wait()
            customer_interests_apply(
                source=InterestSource.DECLARED,
                values_by_customer={customer.pk: [InterestValue(christmas.pk, confidence)]},
                replace=False,
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)
        finally:
            connection.close()

    writers = [threading.Thread(target=declare, args=(value,)) for value in (0.3, 0.7)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()

    assert failures == []
    assert CustomerInterest.objects.filter(customer=customer).current().count() == 1
    assert CustomerInterest.objects.filter(customer=customer).count() == 2
