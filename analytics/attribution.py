"""Who earned a purchase: the rules, on plain rows (``attribution_refresh`` reads and writes them).

- A **touch** is a click on a product: in a campaign email (a tracked link; each product's first
  click in that email), or a click event on a product the API showed the customer within the
  window before the click (credited to the strategy of the latest such showing).
- A **purchase** is a sale line, or a purchase event (``customers.ownership``). A purchase event
  on the same order as a sale line (the same customer, product and moment) is that sale line's
  purchase, not another one: the sale line carries the money. A purchase event alone converts
  with revenue 0.
- A purchase by a customer within ``ANALYTICS_ATTRIBUTION_WINDOW_DAYS`` after a touch of theirs
  is credited to the **latest** touch at or before it (last touch; a click at the very instant of
  the purchase counts; of two clicks at the same instant, the one recorded last). Email touches
  earn any purchase of the customer: the send, its campaign and variant are credited, and the
  strategy that showed the purchased product in that email, or none (campaign only) when it did
  not show it. API touches earn only purchases of the clicked product. A purchase is credited at
  most once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings

from analytics.attribution_models import Channel


def attribution_window() -> timedelta:
    return timedelta(days=settings.ANALYTICS_ATTRIBUTION_WINDOW_DAYS)


@dataclass(frozen=True)
class Showing:
    strategy: str
    moment: datetime


@dataclass(frozen=True)
class Click:
    """A touch (``Touch``), or a click event about to become one (``pk`` 0)."""

    pk: int
    event_id: int  # the later recorded of two clicks at one instant has the greater
    customer_id: int
    product_id: int
    channel: str
    strategy: str
    send_id: int | None
    campaign_id: int | None
    variant_id: int | None
    moment: datetime


@dataclass(frozen=True)
class Bought:
    """A purchase: a sale line (``sale_id``) or a purchase event (``event_id``)."""

    sale_id: int | None
    event_id: int | None
    customer_id: int
    product_id: int
    order: str
    moment: datetime
    revenue: Decimal


@dataclass(frozen=True)
class Credit:
    bought: Bought
    touch: Click
    strategy: str  # blank: campaign only


def api_showing(clicked_at: datetime, showings: Iterable[Showing]) -> Showing | None:
    """The latest API showing of the clicked product to the customer within the window before
    the click, if any (the strategy credited with the click)."""
    earliest = clicked_at - attribution_window()
    eligible = [showing for showing in showings if earliest <= showing.moment <= clicked_at]
    return max(eligible, key=lambda showing: showing.moment, default=None)


def credited_touch(bought: Bought, touches: Iterable[Click]) -> Click | None:
    """The customer's last touch that may earn this purchase (see the module's docstring)."""
    earliest = bought.moment - attribution_window()
    eligible = [
        touch
        for touch in touches
        if touch.customer_id == bought.customer_id
        and earliest <= touch.moment <= bought.moment
        and (touch.channel == Channel.EMAIL or touch.product_id == bought.product_id)
    ]
    return max(eligible, key=lambda touch: (touch.moment, touch.event_id), default=None)


def credits(
    purchases: Iterable[Bought],
    touches: Iterable[Click],
    shown_in_sends: Mapping[tuple[int, int], str],
    sale_orders: set[tuple[int, int, datetime]],
) -> list[Credit]:
    """What each purchase is credited to, for those that earned something. ``shown_in_sends``:
    the strategy of each (send, product) an email showed; ``sale_orders``: the (customer, product,
    moment) of sale lines, which make purchase events on the same order none of their own."""
    by_customer: dict[int, list[Click]] = {}
    for click in touches:
        by_customer.setdefault(click.customer_id, []).append(click)
    found = []
    for bought in purchases:
        if (
            bought.event_id is not None
            and (bought.customer_id, bought.product_id, bought.moment) in sale_orders
        ):
            continue
        touch = credited_touch(bought, by_customer.get(bought.customer_id, ()))
        if touch is None:
            continue
        if touch.channel == Channel.API:
            strategy = touch.strategy
        else:
            strategy = shown_in_sends.get((touch.send_id or 0, bought.product_id), "")
        found.append(Credit(bought, touch, strategy))
    return found
