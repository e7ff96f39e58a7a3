from __future__ import annotations

from tests.recommendations.conftest import Store, store, trained

__all__ = ["Store", "store", "trained"]
