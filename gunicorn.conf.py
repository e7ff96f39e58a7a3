"""gunicorn settings of the web container (see Dockerfile and docker-compose.yml)."""

from __future__ import annotations

import os
import shutil
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
# With several workers, each keeps its own Prometheus counters; in this directory
# they are merged when /metrics is scraped (prometheus_client multiprocess mode).
MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server: Any) -> None:
    if MULTIPROC_DIR:
        shutil.rmtree(MULTIPROC_DIR, ignore_errors=True)
        os.makedirs(MULTIPROC_DIR, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    if MULTIPROC_DIR:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
