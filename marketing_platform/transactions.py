"""Work that follows a commit, which must not undo what the commit stored."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec

from django.db import transaction

logger = logging.getLogger(__name__)
P = ParamSpec("P")


def after_commit(func: Callable[P, object], /, *args: P.args, **kwargs: P.kwargs) -> None:
    """Call ``func(*args, **kwargs)`` once the current transaction commits (at once outside one).

    A failure there (a broker or cache that is down) is logged with the function's name and goes
    no further: the data is stored and the request that stored it succeeds; the caller's recovery
    (the periodic drains, the next training) does the work later. Django's
    ``on_commit(robust=True)`` is not used: it names a failed callback by ``__qualname__``, which
    a ``functools.partial`` lacks, so its logging raised instead.
    """
    name = getattr(func, "__qualname__", repr(func))

    @functools.wraps(func)
    def call() -> None:
        try:
            func(*args, **kwargs)
        except Exception:
            logger.exception("After commit: %s failed; what was committed stands", name)

    transaction.on_commit(call)
