"""Segments: each rule narrows who a campaign reaches; staff see the count as they edit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Max, Sum
from django.test import Client
from django.utils import timezone
from model_bakery import baker

from campaigns.models import Segment, Suppression, SuppressionReason
from campaigns.selectors import SegmentRules, reachable_customers, segment_customers
from catalog.models import Category, Product
from customers.models import Customer, CustomerInterest, Purchase
from tests.factories import SOLD_AT, Shop, Store, make_reachable


@pytest.fixture
def everyone_reachable(store: Store) -> list[Customer]:
    return make_reachable(Customer.objects.order_by("pk"))


def test_only_customers_with_an_address_consent_and_no_suppression_are_reachable(
    everyone_reachable: list[Customer],
) -> None:
    unsubscribed, no_consent, suppressed, no_address = everyone_reachable[:4]
    Customer.objects.filter(pk=unsubscribed.pk).update(unsubscribed_at=timezone.now())
    Customer.objects.filter(pk=no_consent.pk).update(marketing_consent=False)
    Suppression.objects.create(email=suppressed.email, reason=SuppressionReason.COMPLAINED)  # type: ignore[misc]
    Customer.objects.filter(pk=no_address.pk).update(email=None)

    reachable = set(reachable_customers().values_list("pk", flat=True))

    assert reachable == {c.pk for c in everyone_reachable[4:]}


def test_each_rule_selects_what_it_says(everyone_reachable: list[Customer]) -> None:
    last_sale = Purchase.objects.aggregate(last=Max("purchased_at"))["last"]
    assert last_sale is not None
    now = last_sale + timedelta(days=10)
    interest = CustomerInterest.objects.current().values_list("interest_id", flat=True).first()
    assert interest is not None
    root = Category.objects.filter(parent__isnull=True, children__products__purchases__isnull=False).first()
    assert root is not None
    country = everyone_reachable[0].country
    spend = dict(
        Purchase.objects.values("customer_id").annotate(s=Sum("amount")).values_list("customer_id", "s")
    )

    def matching(**rules: object) -> set[int]:
        return set(segment_customers(SegmentRules(**rules), now=now).values_list("pk", flat=True))  # type: ignore[arg-type]

    everyone = {c.pk for c in everyone_reachable}
    holders = set(
        CustomerInterest.objects.current().filter(interest_id=interest).values_list("customer_id", flat=True)
    )
    assert matching(interest_ids=[interest]) == holders & everyone
    in_branch = set(
        Purchase.objects.filter(kind="sale", product__category__parent=root).values_list(
            "customer_id", flat=True
        )
    )
    assert matching(category_ids=[root.pk]) == in_branch  # a root takes in its leaves
    assert matching(countries=[country]) == {c.pk for c in everyone_reachable if c.country == country}
    recent = set(
        Purchase.objects.filter(kind="sale", purchased_at__gte=now - timedelta(days=30)).values_list(
            "customer_id", flat=True
        )
    )
    assert matching(purchased_within_days=30) == recent
    assert matching(not_purchased_within_days=30) == everyone - recent
    assert matching(min_spend=Decimal(1000)) == {pk for pk, s in spend.items() if s >= 1000}
    both = matching(countries=[country], min_spend=Decimal(1000))
    assert both == matching(countries=[country]) & matching(min_spend=Decimal(1000))


def test_the_admin_counts_a_segment_while_it_is_edited(everyone_reachable: list[Customer]) -> None:
    get_user_model().objects.create_superuser("staff", "staff@example.org", "a-long-test-password")
    browser = Client()
    browser.login(username="staff", password="a-long-test-password")
    country = everyone_reachable[0].country

    counted = browser.post("/admin/campaigns/segment/count/", {"name": "", "countries": [country]}).json()
    broken = browser.post("/admin/campaigns/segment/count/", {"countries": "Atlantis"}).json()

    assert counted == {"ok": True, "reachable": len(everyone_reachable),
                       "count": sum(c.country == country for c in everyone_reachable)}  # fmt: skip
    assert broken["ok"] is False
    assert broken["message"].startswith("countries:")
    assert not Segment.objects.exists()  # counting saves nothing


@pytest.mark.django_db
@pytest.mark.parametrize("days", [800_000, 2**31 - 1])
def test_a_window_longer_than_any_history_covers_all_of_it(days: int) -> None:
    buyer, idle = make_reachable(baker.make(Customer, _quantity=2))
    baker.make(
        Purchase, customer=buyer, kind="sale", quantity=1, purchased_at=datetime(1990, 1, 2, tzinfo=UTC)
    )

    within = segment_customers(SegmentRules(purchased_within_days=days))
    lapsed = segment_customers(SegmentRules(not_purchased_within_days=days))

    assert (list(within), list(lapsed)) == ([buyer], [idle])


def test_a_customer_whose_purchases_came_as_events_is_a_buyer(shop: Shop) -> None:
    # given Cy, whose only purchase is an imported purchase event, after Ada's and Bob's sales
    cy = shop.newcomer("cy")
    shop.buy_by_event("cy", "21212", "e-1", at=SOLD_AT + timedelta(days=40))
    make_reachable(Customer.objects.all())
    baking = Product.objects.get(sku="21212").category_id
    assert baking is not None

    def matching(**rules: object) -> set[int]:
        now = SOLD_AT + timedelta(days=45)
        return set(segment_customers(SegmentRules(**rules), now=now).values_list("pk", flat=True))  # type: ignore[arg-type]

    # then category and recency rules count the event as they count a sale line
    assert matching(category_ids=[baking]) == {shop.customers["bob"], cy}
    assert matching(purchased_within_days=30) == {cy}
    assert matching(not_purchased_within_days=30) == {shop.customers["ada"], shop.customers["bob"]}
    # and spend rules read money, which an event does not carry
    assert cy not in matching(min_spend=Decimal("0.01"))


@pytest.mark.django_db
def test_recency_counts_back_from_the_latest_purchase_on_record() -> None:
    # given data that stops in March 1990, as the demo's stops in December 2011
    early, late, idle = make_reachable(baker.make(Customer, _quantity=3))
    for customer, day in (
        (early, datetime(1990, 1, 2, tzinfo=UTC)),
        (late, datetime(1990, 3, 1, tzinfo=UTC)),
    ):
        baker.make(Purchase, customer=customer, kind="sale", quantity=1, purchased_at=day)

    # when no moment is given (the admin's count, a campaign's run)
    within = segment_customers(SegmentRules(purchased_within_days=30))
    lapsed = segment_customers(SegmentRules(not_purchased_within_days=30))

    # then the last 30 days are those up to the last purchase
    assert (list(within), set(lapsed)) == ([late], {early, idle})
