"""Admin pages on the full Online Retail import: latency and query count per page.

Runs after the import suite, on its database (4,362 customers, ~400,000 purchases).
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from bench.report import BENCH_DATABASE_URL, ROOT, publish

REPEAT = 20


def _pages() -> dict[str, str]:
    from django.db.models import Count

    from catalog.models import Category
    from customers.models import Customer

    busiest = Customer.objects.annotate(lines=Count("purchases")).order_by("-lines").first()
    quiet = Customer.objects.order_by("pk").first()
    category = Category.objects.filter(parent__isnull=False).order_by("pk").first()
    if busiest is None or quiet is None or category is None:
        raise SystemExit("the bench database is empty: run `python -m bench import` first")
    return {
        "customer list": "/admin/customers/customer/",
        "customer search (external id)": f"/admin/customers/customer/?q={busiest.external_id}",
        "customer search (country)": "/admin/customers/customer/?q=Germany",
        f"customer page ({busiest.purchases.count():,} purchases)": (
            f"/admin/customers/customer/{busiest.pk}/change/"
        ),
        "customer page, purchases page 5": f"/admin/customers/customer/{busiest.pk}/change/?purchases_page=5",
        "customer page (few purchases)": f"/admin/customers/customer/{quiet.pk}/change/",
        "purchase list": "/admin/customers/purchase/",
        "purchase list, one month": (
            "/admin/customers/purchase/?purchased_at__year=2011&purchased_at__month=11"
        ),
        "purchase search (invoice)": "/admin/customers/purchase/?q=536365",
        "interest history list": "/admin/customers/customerinterest/",
        "product list by category": f"/admin/catalog/product/?category__id__exact={category.pk}",
    }


def run() -> None:
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", BENCH_DATABASE_URL)
    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench"))
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketing_platform.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    figures: dict[str, dict[str, Any]] = {}
    for name, url in _pages().items():
        client.get(url)  # warm caches
        timings = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        timings.sort()
        figures[name] = {
            "url": url,
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
            "queries": len(queries),
        }
    publish(
        "admin_pages",
        {"requests_per_page": REPEAT, "pages": figures},
        title="Admin pages on the full import (in-process client, PostgreSQL)",
        columns=("page", "p50 ms", "p95 ms", "queries"),
        rows=[(n, f"{r['p50_ms']:.1f}", f"{r['p95_ms']:.1f}", str(r["queries"])) for n, r in figures.items()],
    )
