"""Attribution kept up to date: touches, conversions and the daily figures, incrementally (beat,
``refresh_attribution``) or from scratch (``attribution_rebuild``), with the rules of
``attribution``.

A refresh runs in one transaction holding the watermark row, so two never overlap (one that
finds it held does nothing). It reads only what is new: impressions not counted yet, and sale
lines and events past the watermark
(their ids, not their moments, so a purchase imported late with an old timestamp is read too),
plus what arrived late: the click events new API showings came before (a frontend's clock
ahead of ours) and the purchases new touches may have earned. The watermark stops short of rows younger than
``ANALYTICS_REFRESH_SETTLE_SECONDS``: a transaction still open when the refresh read may commit
rows with smaller ids later, and they are read with the next refresh. Reading a purchase again
changes nothing (its credit is computed again, and only a difference is written), and a click
becomes a touch once. The figures of the keys (days, channels, strategies, campaigns) that
changed are counted again from the touches and conversions; impressions add to ``shown``.
The number of queries does not depend on the size of the history.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from analytics.attribution import Bought, Click, Credit, Showing, api_showing, attribution_window, credits
from analytics.attribution_models import (
    AttributionWatermark,
    CampaignConversions,
    Channel,
    Conversion,
    Impression,
    StrategyPerformance,
    Touch,
)
from campaigns.models import Send
from customers.models import InteractionEvent, InteractionKind, Purchase
from customers.ownership import order_key, purchase_events, sales
from marketing_platform.bulk import chunked

Progress = Callable[[str, int], None]
StrategyKey = tuple[date, str, str]  # day, channel, strategy
CampaignKey = tuple[date, int, int]  # day, campaign, variant
EMAIL_CLICKS = "email"  # the source of the click events tracked links record
MARKED_AT_ONCE = 10_000  # impressions marked counted by one statement (a rebuild marks them all)
# Purchases credited together: their ids are named in one statement, and SQLite refuses more
# than its limit of variables (250,000 on Debian's builds, 32,766 on others).
CREDITED_AT_ONCE = 10_000


def _quiet(step: str, count: int) -> None:
    """No progress display."""


@dataclass
class RefreshCounts:
    impressions: int = 0
    touches: int = 0
    purchases: int = 0  # read and credited again
    conversions: int = 0  # written or removed


def attribution_refresh(*, progress: Progress = _quiet) -> RefreshCounts:
    """What changed since the last refresh (see the module's docstring). Nothing while another
    refresh or a rebuild holds the watermark: it reads what this one would, and a worker does not
    wait for it (the next beat's refresh reads what came after)."""
    AttributionWatermark.objects.get_or_create(pk=1)
    with transaction.atomic(durable=True):
        mark = AttributionWatermark.objects.select_for_update(skip_locked=True).filter(pk=1).first()
        if mark is None:
            return RefreshCounts()
        return _refresh(mark, progress)


def attribution_rebuild(*, progress: Progress = _quiet) -> RefreshCounts:
    """Everything again from the source rows: impressions, click events and purchases."""
    AttributionWatermark.objects.get_or_create(pk=1)
    with transaction.atomic(durable=True):
        mark = AttributionWatermark.objects.select_for_update().get(pk=1)
        for model in (Conversion, Touch, StrategyPerformance, CampaignConversions):
            model.objects.all().delete()
        Impression.objects.filter(counted=True).update(counted=False)
        mark.last_sale_id = mark.last_event_id = 0
        return _refresh(mark, progress)


def _refresh(mark: AttributionWatermark, progress: Progress) -> RefreshCounts:
    now = timezone.now()
    sale_top, sale_mark = _bounds(Purchase.objects.all(), mark.last_sale_id, now)
    event_top, event_mark = _bounds(InteractionEvent.objects.all(), mark.last_event_id, now)
    counts = RefreshCounts()
    shown, showings = _impressions_count()
    counts.impressions = sum(shown.values())
    progress("impressions", counts.impressions)
    touches = _touches_record(mark.last_event_id, event_top, showings)
    counts.touches = len(touches)
    progress("touches", counts.touches)
    purchases = _purchases_to_credit(mark, sale_top, event_top, touches)
    strategy_keys: set[StrategyKey] = set()
    campaign_keys: set[CampaignKey] = set()
    for part in chunked(purchases, CREDITED_AT_ONCE):  # a rebuild's: more than a statement may name
        strategies, campaigns, written = _conversions_write(part)
        strategy_keys |= strategies
        campaign_keys |= campaigns
        counts.conversions += written
    counts.purchases = len(purchases)
    progress("purchases", counts.purchases)
    clicked = {(_day(touch.moment), touch.channel, touch.strategy) for touch in touches if touch.strategy}
    _strategy_figures_write(shown, clicked | strategy_keys)
    _campaign_figures_write(campaign_keys)
    progress("figures", len(shown.keys() | clicked | strategy_keys) + len(campaign_keys))
    mark.last_sale_id, mark.last_event_id, mark.refreshed_at = sale_mark, event_mark, now
    mark.save()
    return counts


def _bounds(rows: QuerySet[Any], mark: int, now: datetime) -> tuple[int, int]:
    """The last id to read now, and the watermark after this refresh: that id, or just before the
    first row too young to be sure no older id is still to commit."""
    settle = now - timedelta(seconds=settings.ANALYTICS_REFRESH_SETTLE_SECONDS)
    found = rows.filter(pk__gt=mark).aggregate(
        top=Max("pk"), unsettled=Min("pk", filter=Q(created_at__gt=settle))
    )
    top = found["top"] or mark
    return top, top if found["unsettled"] is None else found["unsettled"] - 1


def _day(moment: datetime) -> date:
    return timezone.localdate(moment)


def _impressions_count() -> tuple[Counter[StrategyKey], list[tuple[int, int, datetime]]]:
    """The impressions not counted yet, per key, marked counted; and the API's among them
    (customer, product, moment), which clicks recorded before them may follow."""
    fresh = list(
        Impression.objects.filter(counted=False).values_list(
            "pk", "shown_at", "channel", "strategy", "customer_id", "product_id"
        )
    )
    for pks in chunked([pk for pk, *_ in fresh], MARKED_AT_ONCE):
        Impression.objects.filter(pk__in=pks).update(counted=True)
    shown = Counter((_day(moment), channel, strategy) for _, moment, channel, strategy, _, _ in fresh)
    showings = [
        (customer_id, product_id, moment)
        for _, moment, channel, _, customer_id, product_id in fresh
        if channel == Channel.API
    ]
    return shown, showings


def _touches_record(after: int, top: int, showings: list[tuple[int, int, datetime]]) -> list[Click]:
    """The click events that earn a touch, stored (each once): those past the watermark, and
    those a new API showing came before (a frontend's click sent ahead of its clock)."""
    fresh = Q(pk__gt=after)
    if showings and after:  # from the first event on, every click is read anyway
        moments = [moment for _, _, moment in showings]
        fresh |= Q(
            customer_id__in={customer_id for customer_id, _, _ in showings},
            product_id__in={product_id for _, product_id, _ in showings},
            occurred_at__range=(min(moments), max(moments) + attribution_window()),
        )
    events = list(
        InteractionEvent.objects.filter(fresh, pk__lte=top, kind=InteractionKind.CLICK)
        .exclude(Exists(Touch.objects.filter(event_id=OuterRef("pk"))))
        .values_list("pk", "customer_id", "product_id", "source", "metadata", "occurred_at")
    )
    emailed = {
        pk: int(metadata["send"])
        for pk, _, _, source, metadata, _ in events
        if source == EMAIL_CLICKS and isinstance(metadata, dict) and str(metadata.get("send", "")).isdigit()
    }
    clicks = _email_clicks([event for event in events if event[0] in emailed], emailed)
    clicks += _api_clicks([event for event in events if event[0] not in emailed])
    Touch.objects.bulk_create(
        Touch(
            event_id=click.event_id,
            customer_id=click.customer_id,
            product_id=click.product_id,
            channel=click.channel,
            strategy=click.strategy,
            send_id=click.send_id,
            campaign_id=click.campaign_id,
            variant_id=click.variant_id,
            clicked_at=click.moment,
            day=_day(click.moment),
        )
        for click in clicks
    )
    return clicks


def _email_clicks(events: list[tuple[Any, ...]], sends: dict[int, int]) -> list[Click]:
    """Clicks on products in campaign emails, with the strategy that showed each product there."""
    found = {
        pk: (customer_id, campaign_id, variant_id)
        for pk, customer_id, campaign_id, variant_id in Send.objects.filter(
            pk__in=set(sends.values())
        ).values_list("pk", "customer_id", "run__campaign_id", "variant_id")
    }
    shown = _shown_in_sends(set(found))
    clicks = []
    for pk, customer_id, product_id, _, _, moment in events:
        send_id = sends[pk]
        if send_id in found and found[send_id][0] == customer_id:
            _, campaign_id, variant_id = found[send_id]
            strategy = shown.get((send_id, product_id), "")
            clicks.append(
                Click(
                    0,
                    pk,
                    customer_id,
                    product_id,
                    Channel.EMAIL,
                    strategy,
                    send_id,
                    campaign_id,
                    variant_id,
                    moment,
                )
            )
    return clicks


def _api_clicks(events: list[tuple[Any, ...]]) -> list[Click]:
    """Click events on products the API showed the customer within the window before."""
    if not events:
        return []
    moments = [event[5] for event in events]
    showings: dict[tuple[int, int], list[Showing]] = defaultdict(list)
    for customer_id, product_id, strategy, moment in Impression.objects.filter(
        channel=Channel.API,
        customer_id__in={event[1] for event in events},
        product_id__in={event[2] for event in events},
        shown_at__gte=min(moments) - attribution_window(),
        shown_at__lte=max(moments),
    ).values_list("customer_id", "product_id", "strategy", "shown_at"):
        showings[customer_id, product_id].append(Showing(strategy, moment))
    clicks = []
    for pk, customer_id, product_id, _, _, moment in events:
        showing = api_showing(moment, showings.get((customer_id, product_id), ()))
        if showing is not None:
            clicks.append(
                Click(0, pk, customer_id, product_id, Channel.API, showing.strategy, None, None, None, moment)
            )
    return clicks


def _shown_in_sends(send_ids: set[int]) -> dict[tuple[int, int], str]:
    return {
        (send_id, product_id): strategy
        for send_id, product_id, strategy in Impression.objects.filter(send_id__in=send_ids).values_list(
            "send_id", "product_id", "strategy"
        )
    }


def _purchases_to_credit(
    mark: AttributionWatermark, sale_top: int, event_top: int, touches: list[Click]
) -> list[Bought]:
    """New purchases of customers with a touch, and every purchase the new touches may earn."""
    touched = Touch.objects.values("customer_id")
    new_sales = Q(pk__gt=mark.last_sale_id, pk__lte=sale_top, customer_id__in=touched)
    new_events = Q(pk__gt=mark.last_event_id, pk__lte=event_top, customer_id__in=touched)
    if touches:
        customers = {touch.customer_id for touch in touches}
        start = min(touch.moment for touch in touches)
        end = max(touch.moment for touch in touches) + attribution_window()
        new_sales |= Q(customer_id__in=customers, purchased_at__range=(start, end))
        new_events |= Q(customer_id__in=customers, occurred_at__range=(start, end))
    return [
        *(
            _bought_sale(*row)
            for row in sales()
            .filter(new_sales)
            .values_list("pk", "customer_id", "product_id", "invoice", "purchased_at", "amount", "currency")
        ),
        *(
            Bought(None, pk, customer_id, product_id, order_key("", moment), moment, Decimal(0))
            for pk, customer_id, product_id, moment in purchase_events()
            .filter(new_events)
            .values_list("pk", "customer_id", "product_id", "occurred_at")
        ),
    ]


def _bought_sale(
    pk: int, customer_id: int, product_id: int, invoice: str, moment: datetime, amount: Decimal, currency: str
) -> Bought:
    """A sale line; its revenue counts in the shop's currency only (``DEFAULT_CURRENCY``)."""
    revenue = amount if currency == settings.DEFAULT_CURRENCY else Decimal(0)
    return Bought(pk, None, customer_id, product_id, order_key(invoice, moment), moment, revenue)


def _conversions_write(purchases: list[Bought]) -> tuple[set[StrategyKey], set[CampaignKey], int]:
    """Credit the purchases again and write what differs; a purchase event a new sale line of the
    same order now carries loses its credit. Returns the keys whose figures changed."""
    if not purchases:
        return set(), set(), 0
    customers = {bought.customer_id for bought in purchases}
    window = attribution_window()
    touches = _touches_of(
        customers, min(b.moment for b in purchases) - window, max(b.moment for b in purchases)
    )
    shown = _shown_in_sends({touch.send_id for touch in touches if touch.send_id is not None})
    event_moments = {bought.moment for bought in purchases if bought.event_id is not None}
    sale_orders = set(
        sales()
        .filter(customer_id__in=customers, purchased_at__in=event_moments)
        .values_list("customer_id", "product_id", "purchased_at")
    )
    wanted = {
        _key_of(credit.bought): _conversion(credit)
        for credit in credits(purchases, touches, shown, sale_orders)
    }
    considered = {_key_of(bought) for bought in purchases}
    sold = {(b.customer_id, b.product_id, b.moment) for b in purchases if b.sale_id is not None}
    existing = [
        row
        for row in Conversion.objects.filter(
            Q(sale_id__in=[b.sale_id for b in purchases if b.sale_id is not None])
            | Q(event_id__in=[b.event_id for b in purchases if b.event_id is not None])
            | Q(event__isnull=False, customer_id__in=customers, purchased_at__in={key[2] for key in sold})
        )
        if ("sale", row.sale_id) in considered
        or ("event", row.event_id) in considered
        or (row.customer_id, row.product_id, row.purchased_at) in sold
    ]
    stale = [row for row in existing if _same(row) != _same(wanted.get(_stored_key(row)))]
    kept = {_stored_key(row) for row in existing} - {_stored_key(row) for row in stale}
    fresh = [row for key, row in wanted.items() if key not in kept]
    Conversion.objects.filter(pk__in=[row.pk for row in stale]).delete()
    Conversion.objects.bulk_create(fresh)
    changed = [*stale, *fresh]
    return (
        {(row.day, row.channel, row.strategy) for row in changed if row.strategy},
        {(row.day, row.campaign_id, row.variant_id) for row in changed if row.campaign_id and row.variant_id},
        len(changed),
    )


def _touches_of(customers: set[int], start: datetime, end: datetime) -> list[Click]:
    return [
        Click(*row)
        for row in Touch.objects.filter(
            customer_id__in=customers, clicked_at__gte=start, clicked_at__lte=end
        ).values_list(
            "pk",
            "event_id",
            "customer_id",
            "product_id",
            "channel",
            "strategy",
            "send_id",
            "campaign_id",
            "variant_id",
            "clicked_at",
        )
    ]


def _key_of(bought: Bought) -> tuple[str, int | None]:
    return ("sale", bought.sale_id) if bought.sale_id is not None else ("event", bought.event_id)


def _stored_key(row: Conversion) -> tuple[str, int | None]:
    return ("sale", row.sale_id) if row.sale_id is not None else ("event", row.event_id)


def _same(row: Conversion | None) -> tuple[Any, ...] | None:
    """What a conversion says, to tell whether a stored one still holds."""
    if row is None:
        return None
    return (row.touch_id, row.strategy, row.day, Decimal(row.revenue), row.order, row.purchased_at)


def _conversion(credit: Credit) -> Conversion:
    bought, touch = credit.bought, credit.touch
    return Conversion(
        sale_id=bought.sale_id,
        event_id=bought.event_id,
        touch_id=touch.pk,
        customer_id=bought.customer_id,
        product_id=bought.product_id,
        channel=touch.channel,
        strategy=credit.strategy,
        send_id=touch.send_id,
        campaign_id=touch.campaign_id,
        variant_id=touch.variant_id,
        order=bought.order,
        purchased_at=bought.moment,
        day=_day(bought.moment),
        revenue=bought.revenue,
    )


def _strategy_figures_write(shown: Counter[StrategyKey], keys: Iterable[StrategyKey]) -> None:
    """Each key's figures: ``shown`` plus the new impressions, the rest counted again."""
    keys = set(keys) | set(shown)
    if not keys:
        return
    days = {key[0] for key in keys}
    before = {
        (day, channel, strategy): count
        for day, channel, strategy, count in StrategyPerformance.objects.filter(day__in=days).values_list(
            "day", "channel", "strategy", "shown"
        )
    }
    clicked = {
        (row["day"], row["channel"], row["strategy"]): row["n"]
        for row in Touch.objects.filter(day__in=days)
        .exclude(strategy="")
        .values("day", "channel", "strategy")
        .annotate(n=Count("pk"))
    }
    bought: Counter[StrategyKey] = Counter()
    revenue: dict[StrategyKey, Decimal] = defaultdict(Decimal)
    for day, channel, strategy, amount in (
        Conversion.objects.filter(day__in=days)
        .exclude(strategy="")
        .values_list("day", "channel", "strategy", "revenue")
    ):
        bought[day, channel, strategy] += 1
        revenue[day, channel, strategy] += amount
    _figures_store(
        [
            StrategyPerformance(day=day, channel=channel, strategy=strategy,
                                shown=before.get(key, 0) + shown[key], clicked=clicked.get(key, 0),
                                bought=bought[key], revenue=revenue[key])
            for key in keys
            for day, channel, strategy in [key]
        ],
        ("day", "channel", "strategy"),
        emptied=StrategyPerformance.objects.filter(day__in=days, shown=0, clicked=0, bought=0),
    )  # fmt: skip


def _campaign_figures_write(keys: set[CampaignKey]) -> None:
    """Each key's attributed orders (distinct orders of a send) and revenue, counted again."""
    if not keys:
        return
    days, campaigns = {key[0] for key in keys}, {key[1] for key in keys}
    orders: dict[CampaignKey, set[tuple[int, str]]] = defaultdict(set)
    revenue: dict[CampaignKey, Decimal] = defaultdict(Decimal)
    for day, campaign_id, variant_id, send_id, order, amount in Conversion.objects.filter(
        day__in=days, campaign_id__in=campaigns
    ).values_list("day", "campaign_id", "variant_id", "send_id", "order", "revenue"):
        orders[day, campaign_id, variant_id].add((send_id, order))
        revenue[day, campaign_id, variant_id] += amount
    _figures_store(
        [
            CampaignConversions(day=day, campaign_id=campaign_id, variant_id=variant_id,
                                converted=len(orders[key]), revenue=revenue[key])
            for key in keys
            for day, campaign_id, variant_id in [key]
        ],
        ("day", "campaign", "variant"),
        emptied=CampaignConversions.objects.filter(day__in=days, campaign_id__in=campaigns, converted=0),
    )  # fmt: skip


def _figures_store(rows: list[Any], key: tuple[str, ...], *, emptied: QuerySet[Any]) -> None:
    """Each key's row written over the stored one (its figures are counted whole), then the rows
    counted down to nothing deleted."""
    model = type(rows[0])
    figures = [
        field.name for field in model._meta.concrete_fields if not field.primary_key and field.name not in key
    ]
    model.objects.bulk_create(rows, update_conflicts=True, unique_fields=key, update_fields=figures)
    emptied.delete()
