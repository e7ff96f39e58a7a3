"""After any sequence of writes through the platform's services (purchases, returns, purchase
and other events, messages moved and deleted, sends leaving, ESP webhooks arriving late, clicks,
admin edits, a customer's deletion), interleaved with refreshes, the aggregate tables equal a
from-scratch recomputation: no write path escapes the change notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from anymail.signals import EventType
from django.db import transaction
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from analytics.models import AggregateChange
from analytics.services.recovery import aggregates_verify
from analytics.services.refresh import aggregates_refresh, stale_keys
from campaigns.models import Send
from campaigns.services.consent import customer_unsubscribe
from campaigns.services.sending import sends_deliver
from campaigns.services.tracking import send_click_record
from conversations.models import Message
from conversations.services.messages import messages_delete
from customers.models import Customer, InteractionKind, Purchase
from tests.analytics.world import act, at, buy, mailing, reachable, say, webhook
from tests.factories import catalog
from tests.fuzz.budget import fuzz_budget

CUSTOMERS = 4
KEY = st.integers(
    0, 7
)  # a purchase line's, an event's or a message's id: its customer is ``KEY % CUSTOMERS``
CUSTOMER = st.integers(0, CUSTOMERS - 1)
PRODUCT = st.integers(0, 1)
DAY = st.integers(0, 6)
HOUR = st.integers(0, 23)
WEBHOOKS = [EventType.DELIVERED, EventType.OPENED, EventType.CLICKED, EventType.BOUNCED, EventType.COMPLAINED,
            EventType.UNSUBSCRIBED]  # fmt: skip


@dataclass
class Scene:
    customers: list[int]
    products: list[int]
    sends: list[int]  # one per customer


def assert_drift_is_noted() -> None:
    """Whatever differs from the sources now is a key some change note names: the next refresh
    mends it. (Checked after every step, so a missed note shows at once, before a later write
    on the same key hides it.)"""
    report = aggregates_verify()
    noted = stale_keys(list(AggregateChange.objects.values_list("pk", "kind", "day", "ref")))
    covered = {
        "daily activity": lambda key: key[0] in noted.days,
        "daily revenue": lambda key: key[0] in noted.days,
        "customer engagement": lambda key: key[0] in noted.customers,
        "purchase months": lambda key: key[0] in noted.customers,
        "campaign performance": lambda key: (key[0], key[2]) in noted.campaign_days,
    }
    for table in report.tables:
        for key in [*table.missing, *table.extra, *(key for key, _, _ in table.differing)]:
            assert covered[table.table](key), (table.table, key, "differs and no change names it")


def assert_matches_sources() -> None:
    report = aggregates_verify()
    assert report.pending == 0
    for table in report.tables:
        assert not table.drifted, (table.table, table.missing, table.extra, table.differing)


class Writes(RuleBasedStateMachine):
    """Each run starts from the scene and is rolled back after its last check."""

    scene: ClassVar[Scene]

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.forgotten = False

    def teardown(self) -> None:
        try:
            aggregates_refresh()
            assert_matches_sources()
        finally:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

    def customer(self, key: int) -> int | None:
        """The customer behind a key, unless forgotten."""
        index = key % CUSTOMERS
        return None if self.forgotten and index == CUSTOMERS - 1 else self.scene.customers[index]

    @rule(key=KEY, product=PRODUCT, day=DAY, hour=HOUR, quantity=st.sampled_from([2, 1, -1]),
          invoice=st.sampled_from(["I1", "I2", ""]), currency=st.sampled_from(["GBP", "EUR"]))  # fmt: skip
    def buy(
        self, key: int, product: int, day: int, hour: int, quantity: int, invoice: str, currency: str
    ) -> None:
        if (customer := self.customer(key)) is not None:
            buy(customer, self.scene.products[product], f"line-{key}", day=day, hour=hour, quantity=quantity,
                invoice=invoice, currency=currency)  # fmt: skip

    @rule(key=KEY, product=PRODUCT, day=DAY, hour=HOUR, kind=st.sampled_from(list(InteractionKind)))
    def act(self, key: int, product: int, day: int, hour: int, kind: str) -> None:
        if (customer := self.customer(key)) is not None:
            act(customer, self.scene.products[product], f"event-{key}", day=day, hour=hour, kind=kind)

    @rule(key=KEY, day=DAY, hour=HOUR)
    def say(self, key: int, day: int, hour: int) -> None:
        """A message; its id sent again with another time moves it."""
        if (customer := self.customer(key)) is not None:
            say(customer, f"message-{key}", day=day, hour=hour)

    @rule(key=KEY)
    def unsay(self, key: int) -> None:
        messages_delete(
            ids=list(Message.objects.filter(message_id=f"message-{key}").values_list("pk", flat=True))
        )

    @rule(key=CUSTOMER)
    def deliver(self, key: int) -> None:
        if self.customer(key) is not None:
            sends_deliver([self.scene.sends[key]])

    @rule(key=CUSTOMER, event_type=st.sampled_from(WEBHOOKS), day=DAY, hour=HOUR)
    def webhook(self, key: int, event_type: str, day: int, hour: int) -> None:
        """The ESP's events, late ones among them: their time is any day of the week."""
        if self.customer(key) is not None:
            webhook(
                Send.objects.select_related("customer").get(pk=self.scene.sends[key]),
                event_type,
                at(day, hour),
            )

    @rule(key=CUSTOMER, product=PRODUCT)
    def click(self, key: int, product: int) -> None:
        if self.customer(key) is not None:
            send_click_record(send_id=self.scene.sends[key], product_id=self.scene.products[product])

    @rule(index=st.integers(0, 7), day=DAY)
    def move_purchase(self, index: int, day: int) -> None:
        """A purchase line edited and saved, as the admin's change form does."""
        purchase = Purchase.objects.order_by("pk")[index : index + 1].first()
        if purchase is not None:
            purchase.purchased_at = at(day)
            purchase.save()

    @precondition(lambda self: not self.forgotten)
    @rule()
    def forget(self) -> None:
        """The last customer deleted, with everything of theirs."""
        Customer.objects.filter(pk=self.scene.customers[-1]).delete()
        self.forgotten = True

    @rule(key=CUSTOMER)
    def unsubscribe(self, key: int) -> None:
        """Through the email's unsubscribe link (or its one-click POST)."""
        if (customer := self.customer(key)) is not None:
            customer_unsubscribe(customer_id=customer, send_id=self.scene.sends[key])

    @rule()
    def refresh(self) -> None:
        aggregates_refresh()
        assert_matches_sources()

    @invariant()
    def drift_is_noted(self) -> None:
        assert_drift_is_noted()


@pytest.fixture
def scene(db: None, settings: Any) -> Scene:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    products = list(catalog(["85123A", "22086"]).values())
    customers = [reachable(name) for name in ("ada", "bob", "cy", "dee")]
    sent = mailing(customers)
    return Scene([c.pk for c in customers], products, [send.pk for send in sent.sends])


@pytest.mark.fuzz
def test_the_tables_equal_a_recomputation_after_any_sequence_of_writes(scene: Scene) -> None:
    Writes.scene = scene
    run_state_machine_as_test(
        Writes,
        settings=settings(
            fuzz_budget, max_examples=fuzz_budget.max_examples * 3 // 4, stateful_step_count=30
        ),
    )
