"""A small known history for the analytics page, dated back from today (sends are stamped now):
the last 7 days against the 7 before, two buyers, a campaign sent to both, a click in its email
on a product a strategy recommended, and the purchase it earned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from anymail.signals import EventType
from django.utils import timezone

from analytics.attribution_models import Channel, Impression
from analytics.attribution_refresh import attribution_refresh
from analytics.services.refresh import aggregates_refresh
from campaigns.models import Campaign
from campaigns.services.sending import sends_deliver
from campaigns.services.tracking import send_click_record
from conversations.analytics import DateRange
from customers.services.activity import PurchaseRow, purchases_record
from tests.analytics.world import DAY0, buy, mailing, reachable, webhook
from tests.factories import catalog

DAYS = 7


@dataclass(frozen=True)
class History:
    today: date
    campaign: Campaign

    @property
    def date_range(self) -> DateRange:
        """The last ``DAYS`` days, today's included."""
        return DateRange(self.today - timedelta(days=DAYS - 1), self.today)

    @property
    def query(self) -> str:
        return f"?first={self.date_range.first.isoformat()}&last={self.today.isoformat()}"


def ago(days: int) -> int:
    """``days`` before today, as the analytics tests' worlds count days (after ``DAY0``)."""
    return (timezone.localdate() - DAY0).days - days


def overview_history(prefix: str = "") -> History:
    """Ada: one order of 10.00 GBP yesterday, 5.00 GBP nine days ago, and 5.10 GBP just now from a
    click in the campaign's email on a "popular" recommendation; Bob: 8.00 EUR two days ago.
    Again with another ``prefix``: as many more customers, orders, sends and figures."""
    products = list(catalog(["85123A", "22086"]).values())
    ada, bob = reachable(f"{prefix}ada"), reachable(f"{prefix}bob")
    buy(ada.pk, products[0], f"{prefix}old", day=ago(9), invoice=f"{prefix}I0", hour=0)
    buy(ada.pk, products[0], f"{prefix}y1", day=ago(1), invoice=f"{prefix}I1", hour=0)
    buy(ada.pk, products[1], f"{prefix}y2", day=ago(1), invoice=f"{prefix}I1", hour=0)
    buy(
        bob.pk,
        products[0],
        f"{prefix}b1",
        day=ago(2),
        invoice=f"{prefix}I2",
        price="4.00",
        currency="EUR",
        hour=0,
    )
    sent = mailing([ada, bob], name=f"{prefix}Winter sale")
    sends_deliver([send.pk for send in sent.sends])
    Impression.objects.create(
        customer=ada, product_id=products[1], channel=Channel.EMAIL, strategy="popular", position=1,
        send=sent.sends[0],
    )  # fmt: skip
    webhook(sent.sends[0], EventType.DELIVERED, timezone.now())
    webhook(sent.sends[1], EventType.BOUNCED, timezone.now())
    send_click_record(send_id=sent.sends[0].pk, product_id=products[1])
    bought = timezone.now() + timedelta(seconds=1)
    purchases_record(
        [PurchaseRow("test", f"{prefix}won", f"{prefix}I3", "sale", ada.pk, products[1], 2, Decimal("2.55"),
                     Decimal("5.10"), "GBP", bought, {})],
        recompute_interests=False,
    )  # fmt: skip
    aggregates_refresh()
    attribution_refresh()
    return History(timezone.localdate(bought), sent.campaign)
