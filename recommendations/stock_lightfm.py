"""LightFM as it comes (32 components, WARP, 30 epochs, 0/1 interactions, no features, no
weights): the published baseline the served recommendations are compared with."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from lightfm import LightFM  # type: ignore[import-untyped]
from scipy import sparse

PARAMETERS = {"no_components": 32, "loss": "warp"}
EPOCHS = 30


def stock_lightfm_scores(
    seen: sparse.csr_matrix | sparse.coo_matrix, *, seed: int, epoch_done: Callable[[], None] = lambda: None
) -> np.ndarray:
    """Scores of every row (user) for every column (item) of the 0/1 ``seen`` matrix, after
    training on it on one thread (the only repeatable way)."""
    matrix = sparse.coo_matrix(seen.astype(np.float32))
    model = LightFM(**PARAMETERS, random_state=seed)
    for _ in range(EPOCHS):
        model.fit_partial(matrix, epochs=1, num_threads=1)
        epoch_done()
    user_bias, user_vectors = model.get_user_representations()
    item_bias, item_vectors = model.get_item_representations()
    return np.asarray(user_vectors @ item_vectors.T + user_bias[:, None] + item_bias[None, :])
