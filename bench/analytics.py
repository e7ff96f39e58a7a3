"""Analytics aggregates on the full Online Retail import: a full rebuild, the incremental
refresh after 1,000 new purchases, and the analytics API's latency.

Runs in a process of its own on the bench database (``python -m bench import`` fills it). The
rebuild writes only the aggregate tables. The 1,000 purchases (100 orders of 10 lines by 100
existing customers, through ``purchases_record`` as an import stores them) are added in a
transaction that is rolled back, so the imported rows stay as they were: once dated now (new
sales: one new day, 100 customers to recompute), once spread over the last 30 days of the data
(a late import: 30 busy days to recompute). The API is asked in-process through Django's test
client with a staff JWT, as ``bench.recommenders`` does: each endpoint ``API_ROUNDS`` times, in
turn, on the rebuilt aggregates.
"""

from __future__ import annotations

import json
import os
import random
import time
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bench.report import measure_in_child, percentiles, publish

NEW_PURCHASES = 1000
GOAL_REFRESH_SECONDS = 1.0
API_ROUNDS = 40


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


def _api_requests() -> dict[str, tuple[str, dict[str, str]]]:
    """What the analytics page reads, by name: the last 30 days of the data, a year, the latest
    campaign, RFM and cohorts."""
    from django.utils import timezone

    from campaigns.models import Campaign
    from customers.ownership import last_activity

    last = timezone.localdate(last_activity() or timezone.now())
    month = {"since": (last - timedelta(days=29)).isoformat(), "until": last.isoformat()}
    year = {"since": (last - timedelta(days=364)).isoformat(), "until": last.isoformat()}
    requests = {
        "activity, 30 days": ("/api/v1/analytics/activity", month),
        "activity, a year": ("/api/v1/analytics/activity", year),
        "strategies, 30 days": ("/api/v1/analytics/strategies", month),
        "RFM segment counts": ("/api/v1/analytics/rfm", {}),
        "RFM members, a page of 50": ("/api/v1/analytics/rfm", {"segment": "Champions"}),
        "cohorts": ("/api/v1/analytics/cohorts", {}),
    }
    campaign = Campaign.objects.order_by("-pk").values_list("pk", flat=True).first()
    if campaign is not None:
        requests["campaign performance"] = (f"/api/v1/analytics/campaigns/{campaign}/performance", {})
    return requests


def _api_timings() -> dict[str, dict[str, float]]:
    """p50 and p99 of each request, and of all together."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from rest_framework_simplejwt.tokens import RefreshToken

    user, _ = get_user_model().objects.get_or_create(username="bench-admin", defaults={"is_staff": True})
    client = Client(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    requests = _api_requests()
    timings: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(API_ROUNDS):
        for name, (path, query) in requests.items():
            started = time.perf_counter()
            response = client.get(path, query)
            timings[name].append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}: {response.content[:300]!r}")
    every = [seconds for values in timings.values() for seconds in values]
    return {"all": percentiles(every), **{name: percentiles(values) for name, values in timings.items()}}


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
    api = _api_timings()
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
        "verify_seconds": round(verify_seconds, 2), "verify_drifted": drifted, "api": api,
        "load_average": [round(x, 2) for x in (*load_before, *os.getloadavg())],
    }))  # fmt: skip


def _ms(timing: dict[str, float]) -> str:
    return "{p50_ms:.1f} / {p99_ms:.1f} ms".format(**timing)


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
        ("analytics API p50 / p99, every request", _ms(figures["api"]["all"]),
         f"{API_ROUNDS} rounds, in-process, staff JWT"),
        *((f"  {name}: p50 / p99", _ms(timing), "")
          for name, timing in figures["api"].items() if name != "all"),
        ("load average (1/5/15 min, before → after)", "", " ".join(map(str, figures["load_average"]))),
    ]  # fmt: skip
    publish(
        "analytics",
        {**figures, "new_purchases": NEW_PURCHASES, "goal_refresh_seconds": GOAL_REFRESH_SECONDS},
        title="Analytics aggregates on the full Online Retail import (PostgreSQL)",
        columns=("measure", "time", "notes"),
        rows=rows,
    )
