"""Recommendation quality on MovieLens 100k, as a new shop would meet it: a fresh platform
imports the ratings through ``manage.py import_interactions``, trains its model, and serves
every customer ten recommendations; they are scored against ratings it never saw.

Protocol: ratings of 4 or 5 are positive; 25 % of each user's positives (seed 1) are held
out before anything is imported. The rest, with every rating below 4 (which the importer's
``--rating-threshold 4`` drops), is imported into a database of its own (SQLite, the
embedded graph and a local cache under ``var/bench/movielens``, made afresh each run), the
model is trained by ``model_version_train`` (one thread, so the run is repeatable) and the
served lists are read from ``recommendations_for_many``, exactly as the API serves them.
Baselines on the same split, scored the same way: stock LightFM (32 components, WARP, 30
epochs on the kept positives) and popularity (distinct users among the kept positives),
both ranking every product of the catalogue except the user's own kept positives. "Owned"
is the share of the items recommended that the user already had among the imported ones.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import Progress, track
from rich.table import Table

from bench.public_data import (
    MOVIELENS_SOURCE,
    MOVIELENS_WHEEL_SHA256,
    Movie,
    Rating,
    hold_out,
    items_by_user,
    movielens_100k,
)
from bench.report import ROOT, publish
from recommendations.stock_lightfm import EPOCHS, PARAMETERS

VAR = ROOT / "var" / "bench" / "movielens"
SEED = 1
HELD_OUT = 0.25
K = 10
BATCH = 200  # customers per recommendations_for_many call, as a campaign's render batch
SERVED, STOCK, POPULAR = "served (platform)", "stock LightFM", "popularity"
Lists = dict[str, list[str]]  # user → recommended item ids, best first


def run() -> None:
    console = Console()
    console.print(
        f"MovieLens 100k: import, training and serving on a fresh platform. Data: {MOVIELENS_SOURCE}."
    )
    with console.status("Reading MovieLens 100k…"):
        data = movielens_100k()
    kept, held = hold_out(data.positives, share=HELD_OUT, seed=SEED)
    owned, wanted = items_by_user(kept), items_by_user(held)
    catalogue = sorted({r.item_id for r in kept}, key=int)
    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True)
    ratings = VAR / "ratings.csv"
    _write_ratings(ratings, data.ratings, kept, data.min_rating, data.movies)
    env = _environment()
    _manage(env, "migrate", "--noinput", "-v0")
    report = VAR / "import.json"
    started = time.perf_counter()
    _manage(env, "import_interactions", str(ratings), "--customer", "user_id", "--product", "item_id",
            "--timestamp", "timestamp", "--rating", "rating", "--rating-threshold", f"{data.min_rating:g}",
            "--product-name", "title", "--category", "genre", "--report", str(report))  # fmt: skip
    imported = {"seconds": round(time.perf_counter() - started, 2), **json.loads(report.read_text())}
    if imported["stored"] != len(kept):
        raise SystemExit(f"the import stored {imported['stored']:,} interactions, not the {len(kept):,} kept")
    platform = _serve_in_child(env)
    with_strategies: dict[str, list[tuple[str, str]]] = platform.pop("served")
    served: Lists = {user: [sku for sku, _ in items] for user, items in with_strategies.items()}
    owned_by_strategy = Counter(
        strategy
        for user, items in with_strategies.items()
        if user in wanted
        for sku, strategy in items
        if sku in owned.get(user, ())
    )

    seconds = platform["training_seconds"] + platform["serving_seconds"]
    results = [_scored(SERVED, served, wanted, owned, seconds)]
    for name, recommend in ((STOCK, partial(_stock_lightfm, console=console)), (POPULAR, _popularity)):
        started = time.perf_counter()
        lists = recommend(owned, catalogue)
        results.append(_scored(name, lists, wanted, owned, time.perf_counter() - started))
    short = sum(len(served.get(user, [])) < K for user in wanted)
    rows = [
        (r["recommender"], f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['ndcg']:.3f}",
         f"{r['owned']:.1%}", f"{r['seconds']:.1f}")
        for r in results
    ]  # fmt: skip
    publish(
        "movielens",
        {
            "data": {
                "source": MOVIELENS_SOURCE,
                "wheel_sha256": MOVIELENS_WHEEL_SHA256,
                "ratings": len(data.ratings),
                "positives": len(data.positives),
                "min_rating": data.min_rating,
                "users": len({r.user_id for r in data.positives}),
                "items": len({r.item_id for r in data.positives}),
            },
            "split": {
                "seed": SEED,
                "held_out_share": HELD_OUT,
                "kept": len(kept),
                "held_out": len(held),
                "users_scored": len(wanted),
                "catalogue": len(catalogue),
            },
            "k": K,
            "import": imported,
            "platform": {**platform, "short_lists": short, "owned_by_strategy": dict(owned_by_strategy)},
            "baselines": {"lightfm": {**PARAMETERS, "epochs": EPOCHS, "random_state": SEED, "threads": 1}},
            "results": results,
            "machine_cpus": os.cpu_count(),
        },
        title=f"MovieLens 100k: {len(wanted):,} users, {len(held):,} held-out positives, k = {K}",
        columns=("recommender", "precision@10", "recall@10", "NDCG@10", "owned %", "seconds"),
        rows=rows,
    )
    sources = ", ".join(f"{strategy} {count:,}" for strategy, count in owned_by_strategy.most_common())
    console.print(
        f"Served: training {platform['training_seconds']:.1f} s + serving {platform['serving_seconds']:.1f} s"
        f" (import {imported['seconds']:.1f} s, graph {platform['graph_seconds']:.1f} s); {short:,} users"
        f" got fewer than {K} items; owned items served by strategy: {sources or 'none'}."
    )
    blend = platform["blend"]
    console.print(f"Served blend, chosen on {blend.get('chosen_on') or 'nothing'}: {blend['described']}.")
    _print_evaluation(console, platform["evaluation"])
    console.print(f"Data: {MOVIELENS_SOURCE}.")


def _print_evaluation(console: Console, evaluation: dict[str, Any]) -> None:
    """The platform's own table on the imported data (``evaluate_recommenders``'s)."""
    table = Table(title=f"evaluate_recommenders on the imported data: {evaluation['split']}")
    table.add_column("recommender")
    protocols = list(dict.fromkeys(row["protocol"] for row in evaluation["rows"]))
    for protocol in protocols:
        table.add_column(f"P@{K} {protocol}", justify="right")
        table.add_column(f"NDCG@{K} {protocol}", justify="right")
    rows: dict[str, dict[str, dict[str, float]]] = {}
    for row in evaluation["rows"]:
        rows.setdefault(row["recommender"], {})[row["protocol"]] = row
    for name, measured in rows.items():
        table.add_row(name, *(f"{measured[p][m]:.3f}" for p in protocols for m in ("precision", "ndcg")))
    console.print(table)
    console.print(f"Its served blend, chosen on that split's training part: {evaluation['blend']}.")


def serve() -> None:
    """In the child process: build the graph, train, serve every customer; write it as JSON to argv[1]."""
    import django

    django.setup()
    from catalog.models import Product
    from customers.models import Customer
    from graph.services.recovery import embedded_graph_ensure
    from recommendations.blending import Blend
    from recommendations.evaluation import PROTOCOLS, evaluate, random_split
    from recommendations.services import model_version_train
    from recommendations.serving import recommendations_for_many
    from recommendations.tuning import choose_blend

    console = Console()
    started = time.perf_counter()
    with console.status("Building the graph from the database…"):
        embedded_graph_ensure()
    graph_seconds = time.perf_counter() - started
    with console.status("Training the platform's recommender…"):
        version = model_version_train()
    customers = dict(Customer.objects.order_by("pk").values_list("pk", "external_id"))
    ids = list(customers)
    batches = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
    items: dict[str, list[tuple[str, str]]] = {}
    modes: Counter[str] = Counter()
    degraded: Counter[str] = Counter()
    started = time.perf_counter()
    for batch in track(batches, description=f"Serving {K} items to {len(ids):,} customers", console=console):
        for pk, found in recommendations_for_many(batch, limit=K).items():
            items[customers[pk]] = [(item.sku, item.strategy) for item in found.items]
            modes[found.mode] += 1
            degraded.update(found.degraded)
    serving_seconds = time.perf_counter() - started
    with console.status("The platform's own evaluation of the imported data…"):
        split = random_split(HELD_OUT, seed=SEED)
        choice = choose_blend(split.train)
        evaluation = [
            {**row.as_dict(), "protocol": PROTOCOLS[row.protocol]} for row in evaluate(split, choice.blend)
        ]
    categories = Counter(Product.objects.values_list("category__slug", flat=True))
    figures = {
        "model_version": version.pk,
        "parameters": version.parameters,
        "data": version.data,
        "graph_seconds": round(graph_seconds, 2),
        "training_seconds": version.training_seconds,
        "serving_seconds": round(serving_seconds, 2),
        "modes": dict(modes),
        "degraded": dict(degraded),
        "strategies": dict(Counter(strategy for found in items.values() for _, strategy in found)),
        "list_lengths": dict(sorted(Counter(len(found) for found in items.values()).items())),
        "product_categories": dict(categories.most_common()),
        "served": items,
        "blend": {**version.blend, "described": Blend.of(version.blend).describe()},
        "evaluation": {"split": split.description, "blend": choice.blend.describe(), "rows": evaluation},
    }
    Path(sys.argv[1]).write_text(json.dumps(figures))


def _write_ratings(
    path: Path,
    ratings: Sequence[Rating],
    kept: Sequence[Rating],
    min_rating: float,
    movies: Mapping[str, Movie],
) -> None:
    """The kept positives and every rating below ``min_rating``, in the data's order, each with
    its movie's title and first genre."""
    keep = {(r.user_id, r.item_id) for r in kept}
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(("user_id", "item_id", "rating", "timestamp", "title", "genre"))
        for r in ratings:
            if r.rating < min_rating or (r.user_id, r.item_id) in keep:
                movie = movies[r.item_id]
                writer.writerow(
                    (r.user_id, r.item_id, f"{r.rating:g}", r.timestamp, movie.title, movie.genre)
                )


def _environment() -> dict[str, str]:
    """The platform on its embedded default, everything under ``VAR``, whatever the shell points at."""
    env = {name: value for name, value in os.environ.items() if name != "CELERY_BROKER_URL"}
    return {
        **env,
        "VAR_DIR": str(VAR),
        "GRAPH_DIR": str(VAR / "graph"),
        "MEDIA_ROOT": str(VAR / "media"),
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "NEO4J_URL": "",
        "MEDIA_S3_BUCKET": "",
        "RECOMMENDER_THREADS": "1",  # LightFM is repeatable on one thread only
        "DJANGO_SETTINGS_MODULE": "marketing_platform.settings",
        "LOG_LEVEL": "WARNING",
    }


def _manage(env: dict[str, str], *args: str) -> None:
    if subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=False).returncode:
        raise SystemExit(f"manage.py {args[0]} failed")


def _serve_in_child(env: dict[str, str]) -> dict[str, Any]:
    out = VAR / "served.json"
    code = "from bench.movielens import serve; serve()"
    if subprocess.run([sys.executable, "-c", code, str(out)], cwd=ROOT, env=env, check=False).returncode:
        raise SystemExit("serving the MovieLens customers failed")
    figures: dict[str, Any] = json.loads(out.read_text())
    return figures


def _stock_lightfm(owned: Mapping[str, set[str]], catalogue: list[str], *, console: Console) -> Lists:
    """LightFM as it comes, on the kept positives as a 0/1 matrix; every product ranked, the
    user's own left out (as LightFM's ``precision_at_k`` with ``train_interactions``)."""
    from scipy.sparse import coo_matrix

    from recommendations.stock_lightfm import stock_lightfm_scores

    users = sorted(owned, key=int)
    column = {item: j for j, item in enumerate(catalogue)}
    pairs = [(i, j) for i, user in enumerate(users) for j in sorted(column[item] for item in owned[user])]
    rows, columns = (np.ascontiguousarray(axis) for axis in np.array(pairs, dtype=np.int32).T)
    matrix = coo_matrix(
        (np.ones(len(pairs), dtype=np.float32), (rows, columns)), shape=(len(users), len(catalogue))
    )
    with Progress(console=console) as progress:
        task = progress.add_task(f"Stock LightFM, {EPOCHS} epochs", total=EPOCHS)
        scores = stock_lightfm_scores(matrix, seed=SEED, epoch_done=lambda: progress.advance(task))
    scores[rows, columns] = -np.inf
    best = np.argsort(-scores, axis=1, kind="stable")[:, :K]
    return {user: [catalogue[j] for j in best[i]] for i, user in enumerate(users)}


def _popularity(owned: Mapping[str, set[str]], catalogue: list[str]) -> Lists:
    """The products most users have among the kept positives, the user's own left out."""
    buyers = Counter(item for items in owned.values() for item in items)
    ranked = sorted(catalogue, key=lambda item: (-buyers[item], int(item)))
    return {user: [item for item in ranked if item not in items][:K] for user, items in owned.items()}


def _scored(
    name: str, lists: Lists, wanted: Mapping[str, set[str]], owned: Mapping[str, set[str]], seconds: float
) -> dict[str, Any]:
    """Means over the users with held-out positives: precision@K (hits / K, a short list
    loses), recall@K and binary NDCG@K; and the share of all items recommended to them that
    they already had among the imported ones."""
    precision = recall = ndcg = 0.0
    recommended = already = 0
    for user, relevant in wanted.items():
        top = lists.get(user, [])[:K]
        hits = [rank for rank, item in enumerate(top) if item in relevant]
        precision += len(hits) / K
        recall += len(hits) / len(relevant)
        ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(relevant), K)))
        ndcg += sum(1 / math.log2(rank + 2) for rank in hits) / ideal
        recommended += len(top)
        already += sum(item in owned.get(user, ()) for item in top)
    users = len(wanted)
    return {
        "recommender": name,
        "precision": round(precision / users, 4),
        "recall": round(recall / users, 4),
        "ndcg": round(ndcg / users, 4),
        "owned": round(already / recommended, 4) if recommended else 0.0,
        "items_recommended": recommended,
        "seconds": round(seconds, 2),
    }
