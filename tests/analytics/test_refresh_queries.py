"""A refresh reads what changed, not the history: the same change costs the same queries after
a short history and after a long one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from anymail.signals import EventType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from analytics.models import (
    CampaignPerformance,
    CustomerEngagement,
    DailyActivity,
    DailyRevenue,
    PurchaseMonth,
)
from analytics.services.refresh import RefreshCounts, aggregates_refresh
from customers.models import Customer, InteractionKind, PurchaseKind
from customers.services.activity import PurchaseRow, purchases_record
from tests.analytics.world import act, at, buy, mailing, reachable, say, webhook
from tests.factories import catalog

AGGREGATES = (DailyActivity, DailyRevenue, CustomerEngagement, PurchaseMonth, CampaignPerformance)


def history(product: int, *, customers: int, days: int) -> None:
    """Each of ``customers`` buys once a day for ``days`` days (one import batch)."""
    ids = Customer.objects.bulk_create(Customer(external_id=f"old-{n}") for n in range(customers))
    purchases_record(
        [PurchaseRow("history", f"{c.pk}-{day}", f"H{c.pk}-{day}", PurchaseKind.SALE, c.pk, product, 1,
                     Decimal(3), Decimal(3), "GBP", at(day), {}) for c in ids for day in range(days)],
        recompute_interests=False,
    )  # fmt: skip


def rows() -> set[tuple[Any, ...]]:
    """Every aggregate row by id: one rewritten gets a new id."""
    return {(model.__name__, pk) for model in AGGREGATES for pk in model.objects.values_list("pk", flat=True)}


def refresh_after_one_change(products: list[int], *, customers: int, days: int) -> tuple[int, RefreshCounts]:
    """Queries of the refresh after the same few writes, on a history of this size (undone after);
    it rewrites the rows of what changed and leaves every other row as it was."""
    with transaction.atomic():
        history(products[0], customers=customers, days=days)
        ada = reachable("ada")
        buy(ada.pk, products[0], "ada-1", day=3)
        sent = mailing([ada])
        aggregates_refresh()
        # the change: a purchase on a new day, an event, a message and a late webhook
        buy(ada.pk, products[1], "ada-2", day=days + 1)
        act(ada.pk, products[1], "ada-e", day=days + 1, kind=InteractionKind.VIEW)
        say(ada.pk, "ada-m", day=days + 1)
        webhook(sent.sends[0], EventType.DELIVERED, at(2))
        before = rows()
        with CaptureQueriesContext(connection) as queries:
            counts = aggregates_refresh()
        rewritten = before - rows()
        assert sorted(name for name, _ in rewritten) == ["CustomerEngagement", "PurchaseMonth"]  # ada's
        transaction.set_rollback(True)
    return len(queries), counts


@pytest.mark.usefixtures("db")
def test_the_refresh_costs_the_same_queries_whatever_the_history(settings: Any) -> None:
    products = list(catalog(["85123A", "22086"]).values())

    short = refresh_after_one_change(products, customers=2, days=3)
    long = refresh_after_one_change(products, customers=300, days=40)

    assert short == long
    assert long[1] == RefreshCounts(changes=5, days=1, customers=1, campaign_days=1)
