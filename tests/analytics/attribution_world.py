"""A small world for attribution's tests: a campaign sent to two customers, products, and the
clicks, showings and purchases recorded as the platform records them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from analytics.attribution_models import (
    CampaignConversions,
    Channel,
    Conversion,
    Impression,
    StrategyPerformance,
)
from campaigns.models import Send
from campaigns.services.runs import campaign_run_start
from customers.models import Customer, InteractionKind
from customers.services.activity import EventRow, PurchaseRow, events_record, purchases_record
from tests.factories import catalog, make_reachable, scheduled_campaign

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PRICE = Decimal("2.55")


@dataclass
class World:
    customers: list[int]  # the first two got the campaign's email
    products: list[int]
    sends: list[Send]
    keys: dict[str, int] = field(default_factory=dict)

    def _key(self, prefix: str) -> str:
        self.keys[prefix] = self.keys.get(prefix, 0) + 1
        return f"{prefix}-{self.keys[prefix]}"

    def show_in_email(self, send: int, products: Iterable[tuple[int, str]], at: datetime = T0) -> None:
        """What the email showed, as its render records it."""
        target = self.sends[send]
        Impression.objects.bulk_create(
            [
                Impression(customer_id=target.customer_id, product_id=self.products[product],
                           channel=Channel.EMAIL, strategy=strategy, position=position, shown_at=at,
                           send_id=target.pk)
                for position, (product, strategy) in enumerate(products, start=1)
            ],
            ignore_conflicts=True,
        )  # fmt: skip

    def show_by_api(self, customer: int, product: int, strategy: str, at: datetime) -> None:
        Impression.objects.create(
            customer_id=self.customers[customer], product_id=self.products[product], channel=Channel.API,
            strategy=strategy, position=1, shown_at=at,
        )  # fmt: skip

    def click_in_email(self, send: int, product: int, at: datetime) -> None:
        """A tracked click on a product, as ``send_click_record`` records it (once per product)."""
        target = self.sends[send]
        events_record(
            [EventRow("email", f"click:{target.pk}:{self.products[product]}", target.customer_id,
                      self.products[product], InteractionKind.CLICK, at, {"send": target.pk})],
            recompute_interests=False,
        )  # fmt: skip

    def click(self, customer: int, product: int, at: datetime) -> None:
        """A click event from a frontend."""
        events_record(
            [EventRow("shop", self._key("click"), self.customers[customer], self.products[product],
                      InteractionKind.CLICK, at, {})],
            recompute_interests=False,
        )  # fmt: skip

    def buy(self, customer: int, product: int, at: datetime, *, quantity: int = 2, invoice: str = "") -> None:
        """A sale line, as an import records it."""
        purchases_record(
            [PurchaseRow("test", self._key("line"), invoice, "sale", self.customers[customer],
                         self.products[product], quantity, PRICE, PRICE * quantity, "GBP", at, {})],
            recompute_interests=False,
        )  # fmt: skip

    def buy_by_event(self, customer: int, product: int, at: datetime) -> None:
        events_record(
            [EventRow("shop", self._key("order"), self.customers[customer], self.products[product],
                      InteractionKind.PURCHASE, at, {})],
            recompute_interests=False,
        )  # fmt: skip


def world(django_capture_on_commit_callbacks: Any) -> World:
    """Three customers (the first two reachable, sent the campaign "Spring"), three products."""
    products = list(catalog(["85123A", "22086", "21212"]).values())
    customers = [Customer.objects.create(external_id=f"c{i}", name=f"C{i}") for i in range(3)]
    make_reachable(customers[:2])
    with django_capture_on_commit_callbacks(execute=False):
        run = campaign_run_start(campaign_id=scheduled_campaign("Spring").pk, occurrence="now")
    assert run is not None
    sends = list(run.sends.order_by("customer_id"))
    return World([customer.pk for customer in customers], products, sends)


def credited() -> list[tuple[Any, ...]]:
    """Each conversion: what was bought, through which channel and strategy, for which send."""
    return sorted(
        Conversion.objects.values_list(
            "product_id", "channel", "strategy", "send_id", "purchased_at", "revenue"
        )
    )


def figures() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Both aggregate tables, in a stable order."""
    return (
        sorted(
            StrategyPerformance.objects.values_list(
                "day", "channel", "strategy", "shown", "clicked", "bought", "revenue"
            )
        ),
        sorted(
            CampaignConversions.objects.values_list(
                "day", "campaign_id", "variant_id", "converted", "revenue"
            )
        ),
    )
