from __future__ import annotations

import numpy as np
import pytest

from recommendations.lightfm_model import FeatureSpace

SPACE = FeatureSpace({10: 0, 11: 1}, {"category:mugs": 0, "tag:red": 1, "price:2": 2}, feature_weight=0.1)
FEATURES = {
    10: {"category:mugs": 1.0, "tag:red": 1.0, "price:2": 2.0},
    12: {"category:mugs": 1.0, "tag:red": 1.0},
}


def test_a_known_product_is_mostly_itself_however_many_features_it_has() -> None:
    row = SPACE.rows([10], FEATURES, identity=True).toarray()[0]

    assert row[0] == pytest.approx(0.9)
    assert row[2:] == pytest.approx([0.025, 0.025, 0.05])  # the 10 % shared as the values are


def test_a_new_product_is_its_features_alone() -> None:
    row = SPACE.rows([12], FEATURES, identity=True).toarray()[0]

    assert row == pytest.approx([0, 0, 0.5, 0.5, 0])


def test_without_features_a_known_product_is_all_identity_and_an_unknown_one_is_empty() -> None:
    rows = SPACE.rows([11, 99], {99: {"tag:unknown": 1.0}}, identity=True).toarray()

    assert rows[0] == pytest.approx([0, 1, 0, 0, 0])
    assert not np.any(rows[1])
