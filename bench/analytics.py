"""Analytics aggregates on the full Online Retail import: a full rebuild, and the incremental
refresh after 1,000 new purchases.

Runs in a process of its own on the bench database (``python -m bench import`` fills it). The
rebuild writes only the aggregate tables. The 1,000 purchases (100 orders of 10 lines by 100
existing customers, through ``purchases_record`` as an import stores them) are added in a
transaction that is rolled back, so the imported rows stay as they were: once dated now (new
sales: one new day, 100 customers to recompute), once spread over the last 30 days of the data
(a late import: 30 busy days to recompute).
"""

from __future__ import annotations

import json
import os
import random
import time
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bench.report import measure_in_child, publish

NEW_PURCHASES = 1000
GOAL_REFRESH_SECONDS = 1.0


def _purchases(moments: list[datetime]) -> list[Any]:
    from catalog.models import Product
    from customers.models import Customer, PurchaseKind
    from customers.services.activity import PurchaseRow

    rng = random.Random(7)
    customers = rng.sample(list(Customer.objects.values_list("pk", flat=True)), NEW_PURCHASES // 10)
    products = list(Product.objects.values_list("pk", "price"))
    rows = []
    for n in range(NEW_PURCHASES):
        product, price = rng.choice(products)
        price = price or Decimal(1)
        order = n // 10
        rows.append(
            PurchaseRow("bench-analytics", f"line-{n}", f"B{order}", PurchaseKind.SALE, customers[order],
                        product, 2, price, price * 2, "GBP", moments[order], {})
        )  # fmt: skip
    return rows


def _refresh_after(moments: list[datetime]) -> dict[str, Any]:
    """Store the purchases, refresh, and roll both back."""
    from django.db import transaction

    from analytics.services.refresh import aggregates_refresh
    from customers.services.activity import purchases_record

    rows = _purchases(moments)
    with transaction.atomic():
        purchases_record(rows, recompute_interests=False)
        started = time.perf_counter()
        counts = aggregates_refresh()
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {"seconds": round(seconds, 3), "days": counts.days, "customers": counts.customers,
            "changes": counts.changes}  # fmt: skip


def measure() -> None:
    """In the child process: print the figures as JSON."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from analytics.services.recovery import aggregates_rebuild, aggregates_verify
    from analytics.services.refresh import aggregates_refresh
    from customers.ownership import last_activity

    call_command("migrate", verbosity=0)
    load_before = os.getloadavg()
    started = time.perf_counter()
    rebuilt = aggregates_rebuild()
    rebuild_seconds = time.perf_counter() - started
    started = time.perf_counter()
    idle = aggregates_refresh()
    idle_seconds = time.perf_counter() - started
    now = timezone.now()
    last = last_activity() or now
    new = _refresh_after([now] * (NEW_PURCHASES // 10))
    late = _refresh_after([last - timedelta(days=n % 30, hours=n % 7) for n in range(NEW_PURCHASES // 10)])
    started = time.perf_counter()
    drifted = aggregates_verify().drifted
    verify_seconds = time.perf_counter() - started
    print(json.dumps({
        "rebuild_seconds": round(rebuild_seconds, 2), "rows": rebuilt.rows,
        "refresh_nothing_pending_seconds": round(idle_seconds, 3), "idle_changes": idle.changes,
        "refresh_after_new_purchases": new, "refresh_after_late_purchases": late,
        "verify_seconds": round(verify_seconds, 2), "verify_drifted": drifted,
        "load_average": [round(x, 2) for x in (*load_before, *os.getloadavg())],
    }))  # fmt: skip


def run() -> None:
    figures = measure_in_child("analytics")
    new, late = figures["refresh_after_new_purchases"], figures["refresh_after_late_purchases"]
    written = ", ".join(f"{table}: {count:,}" for table, count in figures["rows"].items())
    rows = [
        ("full rebuild", f"{figures['rebuild_seconds']:.2f} s", written),
        (f"refresh after {NEW_PURCHASES:,} purchases dated now", f"{new['seconds']:.3f} s",
         f"goal ≤ {GOAL_REFRESH_SECONDS:.0f} s; {new['days']} day, {new['customers']} customers recomputed"),
        (f"refresh after {NEW_PURCHASES:,} purchases over 30 days", f"{late['seconds']:.3f} s",
         f"{late['days']} days, {late['customers']} customers recomputed"),
        ("refresh with nothing pending", f"{figures['refresh_nothing_pending_seconds']:.3f} s", ""),
        ("verify (a from-scratch comparison)", f"{figures['verify_seconds']:.2f} s",
         "drift!" if figures["verify_drifted"] else "no drift"),
        ("load average (1/5/15 min, before → after)", "", " ".join(map(str, figures["load_average"]))),
    ]  # fmt: skip
    publish(
        "analytics",
        {**figures, "new_purchases": NEW_PURCHASES, "goal_refresh_seconds": GOAL_REFRESH_SECONDS},
        title="Analytics aggregates on the full Online Retail import (PostgreSQL)",
        columns=("measure", "time", "notes"),
        rows=rows,
    )
