"""What many tests share that is not a fixture: where things are, free ports, API clients and
following a media address."""

from __future__ import annotations

import csv
import socket
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import requests
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.mixins import ListModelMixin
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from marketing_platform.api_keys import api_key_create

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
ONLINE_RETAIL = SHARED_DATA / "online-retail" / "online_retail_2010_2011.csv.gz"
DEMO_SAMPLE = ROOT / "demo" / "online_retail_sample.csv"

WorkerStarter = Callable[[], AbstractContextManager[object]]  # the `celery_worker` fixture

PASSWORD = "a-long-test-password-1"
QUICK = {"epochs": 5, "no_components": 16, "threads": 1}  # one thread: the same model every run
# A model version's blend as the training keeps it (ModelVersion.blend), every part filled in.
BLEND: dict[str, Any] = {
    "weights": {
        "repeat": 3.0,
        "model": 1.0,
        "graph": 0.35,
        "interests": 0.25,
        "popular": 2.0,
        "declared": 3.0,
    },
    "rules": {"offer_again": "never", "repurchase_share": 0.02, "popular_days": 28, "max_per_category": 3},
    "chosen_on": "the last 4 weeks (412 of their 530 buyers had bought before): 412 customers",
    "figures": [
        {"name": "model alone", "precision": 0.12, "recall": 0.05, "ndcg": 0.1},
        {"name": "blend (chosen)", "precision": 0.2, "recall": 0.08, "ndcg": 0.15},
    ],
    "fallback": "Too few customers to choose on: the defaults.",
}


def free_port() -> int:
    """A TCP port on the loopback nobody listens on now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch_media(address: str) -> tuple[int, bytes]:
    """Follow a /media/ address as a browser or email client would: the platform, then the
    signed object-store address it redirects to (on an object store)."""
    response: Any = Client().get(address)
    if response.status_code == 302:
        outside = requests.get(response["Location"], timeout=10)
        return outside.status_code, outside.content
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


def reject_reasons(rejects_file: Path) -> dict[str, str]:
    """An importer's rejects file as line number → reason."""
    with rejects_file.open(newline="") as handle:
        return {row["line"]: row["reason"] for row in csv.DictReader(handle)}


def jwt_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def key_client(*scopes: str) -> APIClient:
    _, plaintext = api_key_create(name="test service", scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    return client


def api_list_paths(patterns: list[Any] | None = None, prefix: str = "") -> list[str]:
    """The path of every parameterless list endpoint of the API, found in the URLconf."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += api_list_paths(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and "<" not in route and route.startswith("api/"):
            view = getattr(pattern.callback, "view_class", None)
            if isinstance(view, type) and issubclass(view, ListModelMixin):
                found.append("/" + route)
    return sorted(found)
