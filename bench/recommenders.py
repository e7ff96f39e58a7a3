"""Recommendations on the full Online Retail import: training, scoring everyone, the evaluation
table on the validation, time and random splits, and the recommendations API's latency cached and uncached.

Runs in its own process against the bench database (``python -m bench import``
fills it); the API is called in-process through Django's WSGI handler with a
staff JWT, so the figures are the application's, without a network in between.
"""

from __future__ import annotations

import json
import os
import random
import time
from typing import Any

from rich.console import Console

from bench.report import measure_in_child, percentiles, publish

SAMPLE = 200


def measure() -> None:
    """In the child process: print the figures as JSON."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from rest_framework_simplejwt.tokens import RefreshToken

    from customers.models import Customer
    from graph.services.recovery import embedded_graph_ensure
    from recommendations.evaluation import PROTOCOLS, evaluate, random_split, time_split
    from recommendations.selectors import active_recommender
    from recommendations.services import model_version_train
    from recommendations.tuning import choose_blend

    call_command("migrate", verbosity=0)
    embedded_graph_ensure()
    version = model_version_train()
    active = active_recommender()
    if active is None:
        raise SystemExit("training did not produce a serving model")
    started = time.perf_counter()
    scores = active[1].score_all_customers()
    scoring_seconds = time.perf_counter() - started

    evaluations: dict[str, dict[str, Any]] = {}
    for split in (time_split(4, validation=True), time_split(4), random_split(0.25, seed=1)):
        choice = choose_blend(split.train)  # what a training on the split's training period serves
        rows = evaluate(split, choice.blend)
        evaluations[split.name] = {
            "description": split.description,
            "blend": {**choice.as_json(), "described": choice.blend.describe()},
            "rows": [{**r.as_dict(), "protocol": PROTOCOLS[r.protocol]} for r in rows],
        }
    version.metrics = {**version.metrics, **evaluations}
    version.save(update_fields=["metrics"])

    user, _ = get_user_model().objects.get_or_create(username="bench-admin", defaults={"is_staff": True})
    client = Client(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    chooser = random.Random(1)
    everyone = list(Customer.objects.values_list("external_id", flat=True))
    customers = chooser.sample(everyone, SAMPLE)
    warm = next(external_id for external_id in everyone if external_id not in customers)
    client.get(f"/api/v1/customers/{warm}/recommendations")  # loads the model and the shared figures once
    timings: dict[str, list[float]] = {"uncached": [], "cached": []}
    for external_id in customers:
        for kind in ("uncached", "cached"):
            started = time.perf_counter()
            response = client.get(f"/api/v1/customers/{external_id}/recommendations")
            timings[kind].append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"the API answered {response.status_code}: {response.content[:300]!r}")
    timings["impressions"] = impression_timings(Customer.objects.filter(external_id__in=customers))
    cache.clear()
    print(json.dumps({
        "model_version": version.pk,
        "parameters": version.parameters,
        "data": version.data,
        "training_seconds": version.training_seconds,
        "scoring": {"customers": int(scores.shape[0]), "products": int(scores.shape[1]),
                    "seconds": round(scoring_seconds, 3)},
        "evaluation": evaluations,
        "api": {kind: percentiles(values) for kind, values in timings.items()},
        "threads": settings.RECOMMENDER["threads"],
    }))  # fmt: skip


def impression_timings(customers: Any) -> list[float]:
    """How long recording what an answer showed takes (part of every answer's time above): ten
    products shown to each customer, one insert each; removed afterwards."""
    from analytics.attribution_models import Channel, Impression
    from analytics.impressions import impressions_record
    from catalog.models import Product
    from recommendations.signals import Shown

    last = Impression.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    products = tuple(
        (pk, "popular") for pk in Product.objects.order_by("pk").values_list("pk", flat=True)[:10]
    )
    timings = []
    for customer_id in customers.values_list("pk", flat=True):
        started = time.perf_counter()
        impressions_record(channel=Channel.API, shown=[Shown(customer_id, products)])
        timings.append(time.perf_counter() - started)
    Impression.objects.filter(pk__gt=last).delete()  # the bench's, not the shop's
    return timings


def run() -> None:
    console = Console()
    console.print("Recommendations: training, scoring, evaluation and API latency on the bench database…")
    figures = measure_in_child("recommenders", RATE_LIMIT_STAFF="100000000/m")
    rows = [
        ("training (full data)", f"{figures['training_seconds']:.1f} s",
         f"{figures['threads']} threads; goal ≤ 60 s"),
        ("scoring every customer", f"{figures['scoring']['seconds']:.2f} s",
         f"{figures['scoring']['customers']:,} × {figures['scoring']['products']:,}; goal ≤ 5 s"),
        ("API p50 / p99, uncached", "{p50_ms:.1f} / {p99_ms:.1f} ms".format(**figures["api"]["uncached"]),
         "goal p99 ≤ 150 ms"),
        ("API p50 / p99, cached", "{p50_ms:.1f} / {p99_ms:.1f} ms".format(**figures["api"]["cached"]),
         "goal p99 ≤ 25 ms"),
        ("  of which recording what was shown",
         "{p50_ms:.1f} / {p99_ms:.1f} ms".format(**figures["api"]["impressions"]), "one insert per answer"),
    ]  # fmt: skip
    for split, result in figures["evaluation"].items():
        rows += [
            (f"{split}, {r['protocol']}: {r['recommender']}",
             f"P@10 {r['precision']:.3f} · NDCG {r['ndcg']:.3f}", f"coverage {r['coverage']:.1%}")
            for r in result["rows"]
        ]  # fmt: skip
        rows.append((f"{split}: served blend", "", result["blend"]["described"]))
    publish(
        "recommenders",
        {**figures, "machine_cpus": os.cpu_count()},
        title="Recommendations on the full Online Retail import",
        columns=("measure", "figure", "note"),
        rows=rows,
    )
