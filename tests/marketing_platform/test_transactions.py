from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from marketing_platform.transactions import after_commit

pytestmark = pytest.mark.django_db


def _publish(task: str, *, to: list[str]) -> None:
    to.append(task)
    raise ConnectionError("broker down")


def test_work_after_commit_that_fails_is_logged_by_name_and_goes_no_further(
    django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    published: list[str] = []

    with django_capture_on_commit_callbacks(execute=True):
        after_commit(partial(_publish, to=published), "recompute")
        after_commit(_publish, "refresh", to=published)

    assert published == ["recompute", "refresh"]  # the second ran although the first failed
    messages = [
        record.getMessage() for record in caplog.records if record.name == "marketing_platform.transactions"
    ]
    assert len(messages) == 2
    assert all(message.startswith("After commit: ") and "_publish" in message for message in messages)
