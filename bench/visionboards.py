"""Vision boards on the full Online Retail import: how long one board takes to draw, and how
many boards two worker processes render per minute.

Drawing is timed on boards of 9 photo tiles (the shared product photos, stored in media
storage, so the images are local): the social format alone (1080×1350, PNG encoded), and
both formats as a render stores them. Then 500 real customers ask for a board; two Celery
worker processes on the ``render`` queue (Redis broker and cache, PostgreSQL) render them
with the real task, and the figure is boards per minute from the first request to the
last board stored. Their recommendations are served warm from the cache, as for customers
the platform has already recommended to (the embedded graph opens in one process only).
The boards the benchmark made are deleted at the end, files included.
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console

from bench.report import ROOT, measure_in_child, percentiles, publish

PHOTOS = ROOT.parent / "shared" / "data" / "product-images"
DEMO_PHOTOS = ROOT / "demo" / "product-images"
SAMPLE = 60
BATCH = 500
WORKERS = 2
REDIS_URL = "redis://127.0.0.1:6379/14"
BROKER_URL = "redis://127.0.0.1:6379/13"


def measure() -> None:
    """In the child process: print the figures as JSON."""
    import django

    django.setup()
    from django.core.files import File
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.utils import timezone

    from customers.models import Customer
    from graph.port import close_graph
    from graph.services.recovery import embedded_graph_ensure
    from marketing_platform.celery import app
    from recommendations.selectors import active_recommender
    from recommendations.services import model_version_train
    from recommendations.serving import recommendations_for_many
    from visionboards.composer import SOCIAL, compose
    from visionboards.models import BoardStatus, VisionBoard
    from visionboards.selectors import BoardProduct, BoardSource
    from visionboards.services import png_bytes, vision_board_request

    call_command("migrate", verbosity=0)
    call_command("attach_demo_images", verbosity=0)
    embedded_graph_ensure()
    if active_recommender() is None:
        model_version_train()
    chooser = random.Random(7)

    stored = []
    for name in _photo_files():
        target = f"bench-photos/{name.name}"
        if not default_storage.exists(target):
            with name.open("rb") as photo:
                target = default_storage.save(target, File(photo))
        stored.append(target)
    now = timezone.now()
    social: list[float] = []
    both: list[float] = []
    for index in range(SAMPLE):
        picked = chooser.sample(stored, 9)
        source = BoardSource(
            customer_id=index, first_name="Ada",
            recommended=[BoardProduct(n, f"SKU-{n}", f"PRODUCT {n}", "£2.95", "Because you bought a mug",
                                      image, "") for n, image in enumerate(picked)],
        )  # fmt: skip
        started = time.perf_counter()
        png_bytes(compose(source, now=now, formats=(SOCIAL,)).images["social"])
        social.append(time.perf_counter() - started)
        started = time.perf_counter()
        for image in compose(source, now=now).images.values():
            png_bytes(image)
        both.append(time.perf_counter() - started)

    customers = chooser.sample(list(Customer.objects.values_list("pk", flat=True)), BATCH)
    for offset in range(0, BATCH, 50):  # served before: the workers find them in the cache
        recommendations_for_many(customers[offset : offset + 50], limit=9)
    close_graph()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "marketing_platform",
                "worker",
                "-Q",
                "render",
                "-P",
                "solo",
                "-n",
                f"bench-{number}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for number in range(WORKERS)
    ]
    try:
        _wait_for_workers(app)
        started = time.perf_counter()
        boards = [vision_board_request(pk, force=True).pk for pk in customers]
        made = VisionBoard.objects.filter(pk__in=boards)
        while made.filter(status__in=(BoardStatus.PENDING, BoardStatus.RENDERING)).exists():
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        ready = made.filter(status=BoardStatus.READY).count()
        fallback_tiles = sum(len(fallbacks) for fallbacks in made.values_list("fallbacks", flat=True))
        social_bytes = [
            default_storage.size(name) for name in made.values_list("social_image", flat=True)[:50]
        ]
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    for board in made:
        for image in (board.social_image, board.screen_image):
            if image:
                image.delete(save=False)
    made.delete()
    print(json.dumps({
        "nine_photo_tiles": {"social_png": percentiles(social), "both_formats_png": percentiles(both),
                             "photos": len(stored)},
        "batch": {"boards": BATCH, "ready": ready, "workers": WORKERS, "seconds": round(elapsed, 1),
                  "boards_per_minute": round(ready / elapsed * 60, 1),
                  "photo_tiles_share": round(1 - fallback_tiles / (ready * 9), 3) if ready else 0,
                  "social_png_kb_p50": round(sorted(social_bytes)[len(social_bytes) // 2] / 1024)},
    }))  # fmt: skip


def _photo_files() -> list[Path]:
    """The shared product photos (not the wide banners), or the demo ones without ``../shared``."""
    if (PHOTOS / "manifest.csv").exists():
        with (PHOTOS / "manifest.csv").open(newline="") as manifest:
            return [PHOTOS / row["file"] for row in csv.DictReader(manifest) if "banner" not in row["file"]]
    return sorted(path for path in DEMO_PHOTOS.iterdir() if path.suffix in (".jpg", ".png"))


def _wait_for_workers(app: object, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if len(app.control.ping(timeout=1.0) or []) >= WORKERS:  # type: ignore[attr-defined]
            return
    raise SystemExit("the bench workers did not start")


def run() -> None:
    console = Console()
    console.print(f"Vision boards: drawing time for 9 photo tiles, then {BATCH} boards on {WORKERS} workers…")
    figures = measure_in_child(
        "visionboards", REDIS_URL=REDIS_URL, CELERY_BROKER_URL=BROKER_URL, VISION_BOARD_REFRESH_SECONDS="3600"
    )
    tiles, batch = figures["nine_photo_tiles"], figures["batch"]
    ms = "{p50_ms:.0f} / {p99_ms:.0f} ms".format
    per_minute = f"{batch['boards_per_minute']:.0f} boards/min"
    rows = [
        ("one board, 1080×1350, 9 photo tiles", ms(**tiles["social_png"]), "p50 / p99; goal p50 ≤ 300 ms"),
        ("one board, both formats", ms(**tiles["both_formats_png"]), "p50 / p99; what a render stores"),
        (f"{batch['boards']} boards, {batch['workers']} worker processes", per_minute,
         f"{batch['ready']} ready in {batch['seconds']} s"),
        ("  tiles with a photo (demo photos)", f"{batch['photo_tiles_share']:.0%}", "the rest typographic"),
        ("  social PNG size, p50", f"{batch['social_png_kb_p50']} kB", ""),
    ]  # fmt: skip
    publish(
        "visionboards", {**figures, "machine_cpus": os.cpu_count()},
        title="Vision boards on the full Online Retail import",
        columns=("measure", "figure", "note"), rows=rows,
    )  # fmt: skip
