"""Waiting for what a worker does in the background."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(condition: Callable[[], T], seconds: float = 90) -> T:
    """What ``condition`` returned once it was truthy, or its last (falsy) answer after
    ``seconds`` (asked every 0.2 s)."""
    deadline = time.monotonic() + seconds
    while True:
        answer = condition()
        if answer or time.monotonic() >= deadline:
            return answer
        time.sleep(0.2)
