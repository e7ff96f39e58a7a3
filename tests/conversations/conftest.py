"""What the conversations tests share: one local embedder (a model loads once per run)."""

from __future__ import annotations

import pytest

from conversations.embedding import LocalEmbedder


@pytest.fixture(scope="session")
def local_embedder() -> LocalEmbedder:
    return LocalEmbedder(threads=1)
