"""Attribution on the full Online Retail import: the refresh that credits 1,000 new purchases
(goal ≤ 1 s) and a rebuild from scratch.

The import has no clicks, so the bench makes some: on the import's last day the API shows every
customer ten bestsellers and every fifth customer clicks the first; then 1,000 new sale lines of
that product by the clicking customers arrive and the refresh credits them. Everything the bench
added is removed afterwards, and attribution rebuilt, so the database is left as it was.
"""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta
from decimal import Decimal

from rich.console import Console

from bench.report import measure_in_child, publish

SHOWN = 10
CLICKING = 5  # one customer in this many clicks
NEW_PURCHASES = 1000
SOURCE = "bench-attribution"


def measure() -> None:
    """In the child process: print the figures as JSON."""
    import django

    django.setup()
    from django.db.models import Count

    from analytics.attribution_models import Channel, Conversion, Impression
    from analytics.attribution_refresh import attribution_rebuild, attribution_refresh
    from catalog.models import Product
    from customers.models import Customer, InteractionEvent, InteractionKind, Purchase
    from customers.ownership import last_activity

    end = last_activity()
    if end is None:
        raise SystemExit("the bench database is empty: run `python -m bench import` first")
    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    bestsellers = list(
        Product.objects.annotate(buyers=Count("purchases"))
        .order_by("-buyers")
        .values_list("pk", flat=True)[:SHOWN]
    )
    last_impression = Impression.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    shown_at = end - timedelta(days=1)
    try:
        Impression.objects.bulk_create(
            Impression(customer_id=customer, product_id=product, channel=Channel.API, strategy="popular",
                       position=position, shown_at=shown_at)
            for customer in customers for position, product in enumerate(bestsellers, start=1)
        )  # fmt: skip
        clicking = customers[::CLICKING]
        InteractionEvent.objects.bulk_create(
            InteractionEvent(source=SOURCE, external_id=f"click-{customer}", customer_id=customer,
                             product_id=bestsellers[0], kind=InteractionKind.CLICK,
                             occurred_at=shown_at + timedelta(minutes=5))
            for customer in clicking
        )  # fmt: skip
        started = time.perf_counter()
        first = attribution_refresh()
        first_seconds = time.perf_counter() - started
        Purchase.objects.bulk_create(
            Purchase(source=SOURCE, external_id=str(n), invoice=f"B{n}",
                     customer_id=clicking[n % len(clicking)],
                     product_id=bestsellers[0], quantity=1, unit_price=Decimal("2.55"),
                     amount=Decimal("2.55"), purchased_at=end + timedelta(minutes=n))
            for n in range(NEW_PURCHASES)
        )  # fmt: skip
        started = time.perf_counter()
        refreshed = attribution_refresh()
        refresh_seconds = time.perf_counter() - started
        conversions = Conversion.objects.count()
        started = time.perf_counter()
        rebuilt = attribution_rebuild()
        rebuild_seconds = time.perf_counter() - started
    finally:
        Purchase.objects.filter(source=SOURCE).delete()
        InteractionEvent.objects.filter(source=SOURCE).delete()
        Impression.objects.filter(pk__gt=last_impression).delete()
        attribution_rebuild()
    print(json.dumps({
        "customers": len(customers), "impressions": first.impressions, "clicks": first.touches,
        "first_refresh_seconds": round(first_seconds, 3),
        "new_purchases": NEW_PURCHASES, "purchases_credited": refreshed.purchases, "conversions": conversions,
        "refresh_seconds": round(refresh_seconds, 3),
        "rebuild_seconds": round(rebuild_seconds, 3), "rebuild_purchases": rebuilt.purchases,
    }))  # fmt: skip


def run() -> None:
    console = Console()
    console.print("Attribution: a refresh after 1,000 new purchases and a rebuild on the bench database…")
    figures = measure_in_child("attribution")
    load = os.getloadavg()[0]
    publish(
        "attribution",
        {**figures, "machine_cpus": os.cpu_count(), "load_average": round(load, 1)},
        title=f"Attribution on the full Online Retail import (load {load:.1f} on {os.cpu_count()} cores)",
        columns=("measure", "figure", "note"),
        rows=[
            ("refresh after the showings and clicks", f"{figures['first_refresh_seconds']:.2f} s",
             f"{figures['impressions']:,} impressions, {figures['clicks']:,} clicks"),
            ("refresh after 1,000 new purchases", f"{figures['refresh_seconds']:.2f} s",
             f"{figures['conversions']:,} credited; goal ≤ 1 s"),
            ("rebuild from scratch", f"{figures['rebuild_seconds']:.2f} s",
             f"{figures['rebuild_purchases']:,} purchases of clicking customers read"),
        ],
    )  # fmt: skip
