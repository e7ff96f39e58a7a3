"""How much a purchase still counts: half as much for every half-life since it was made."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import numpy as np


def decay(end: datetime, moments: Iterable[datetime], half_life_days: int | None) -> np.ndarray:
    """½ per ``half_life_days`` from each moment to ``end`` (a moment after ``end`` counts as
    ``end``); all 1 without a half-life."""
    days = np.fromiter((max((end - moment).total_seconds(), 0) / 86400 for moment in moments), np.float64)
    if not half_life_days:
        return np.ones(len(days), dtype=np.float32)
    return (0.5 ** (days / half_life_days)).astype(np.float32)
