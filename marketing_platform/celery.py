"""The Celery application and the queues work is routed to."""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Any

from celery import Celery
from celery.signals import worker_process_init
from kombu import Queue

from marketing_platform.startup import freeze_loaded_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketing_platform.settings")


class Queues(StrEnum):
    DEFAULT = "default"
    GRAPH = "graph"
    TRAINING = "training"
    RENDER = "render"
    EMAIL = "email"
    # Message embeddings: a model that uses every core it is given, apart so a burst of messages
    # never delays an email or a graph sync; the main worker group consumes it (one model per process).
    EMBEDDINGS = "embeddings"


# Every task that writes: acknowledged after it ran (a killed worker's task runs again, so
# tasks are idempotent), retried on transient errors with exponential backoff and jitter.
RETRYING: dict[str, Any] = {"acks_late": True, "retry_backoff": True, "retry_jitter": True, "max_retries": 5}

app = Celery("marketing_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(queue.value) for queue in Queues]
app.autodiscover_tasks()


@worker_process_init.connect
def _freeze_worker_process(**_: Any) -> None:
    """Each worker process, once Django and the tasks are loaded (see ``startup``)."""
    freeze_loaded_objects()
