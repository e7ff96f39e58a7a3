"""Is one variant's rate really ahead of another's? The two-proportion z-test, as plain
functions (counts in, numbers out).

The test rests on the normal approximation of each count, which holds once every variant
expects at least ``MIN_EXPECTED`` successes and as many failures at the pooled rate; with
less, there is not enough data to say anything, and nothing is said.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

MIN_EXPECTED = 5  # the usual rule of thumb for the normal approximation of a binomial count


@dataclass(frozen=True)
class Proportion:
    successes: int
    trials: int

    @property
    def rate(self) -> float:
        return self.successes / self.trials if self.trials else 0.0


@dataclass(frozen=True)
class ZTest:
    z: float  # positive: ``a`` has the higher rate
    p_value: float  # two-sided

    @property
    def confidence(self) -> float:
        """How sure the rates differ: 1 - the two-sided p-value."""
        return 1.0 - self.p_value


def enough_data(a: Proportion, b: Proportion) -> bool:
    """Whether both variants expect ``MIN_EXPECTED`` successes and failures at the pooled rate."""
    trials = a.trials + b.trials
    if not a.trials or not b.trials:
        return False
    pooled = (a.successes + b.successes) / trials
    return all(n * pooled >= MIN_EXPECTED and n * (1 - pooled) >= MIN_EXPECTED for n in (a.trials, b.trials))


def two_proportion_z_test(a: Proportion, b: Proportion) -> ZTest | None:
    """The pooled two-proportion z-test of ``a``'s rate against ``b``'s; None without enough data."""
    if not enough_data(a, b):
        return None
    pooled = (a.successes + b.successes) / (a.trials + b.trials)
    error = math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials))
    z = (a.rate - b.rate) / error
    return ZTest(z=z, p_value=float(2 * norm.sf(abs(z))))
