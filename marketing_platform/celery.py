"""The Celery application and the queues work is routed to."""

from __future__ import annotations

import os
from enum import StrEnum

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketing_platform.settings")


class Queues(StrEnum):
    DEFAULT = "default"
    GRAPH = "graph"
    TRAINING = "training"
    RENDER = "render"
    EMAIL = "email"


app = Celery("marketing_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(queue.value) for queue in Queues]
app.autodiscover_tasks()
