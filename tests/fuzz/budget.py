"""How hard the fuzz tests search: ``FUZZ_EXAMPLES`` inputs per test (CI sets a fixed budget).
Runs are reproducible unless ``FUZZ_RANDOM=1`` asks for fresh inputs."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

fuzz_budget = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
