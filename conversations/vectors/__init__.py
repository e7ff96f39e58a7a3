"""Message embeddings behind one small port (``port.VectorStore``), like the graph: Milvus Lite
under ``VAR_DIR`` by default, a Milvus server when ``MILVUS_URI`` is set."""

from __future__ import annotations

import threading

from django.conf import settings

from conversations.vectors.port import VectorStore

_lock = threading.Lock()
_store: VectorStore | None = None
_opened_from: str | None = None


def get_vector_store() -> VectorStore:
    """The configured store, opened once per process and again when the settings change.

    Raises :class:`~conversations.vectors.port.VectorStoreUnavailable` when it cannot be
    reached; the next call tries again."""
    global _store, _opened_from
    with _lock:
        source = str(settings.MILVUS_URI or settings.MILVUS_LITE_PATH)
        if _store is None or source != _opened_from:
            if _store is not None:
                _store.close()
                _store = None
            # pymilvus loads pandas: only in a process that uses the store
            from conversations.vectors.milvus import MilvusVectorStore

            _store = MilvusVectorStore(
                source,
                prefix=settings.MILVUS_COLLECTION_PREFIX,
                token=settings.MILVUS_TOKEN,
                timeout=settings.MILVUS_TIMEOUT,
            )
            _opened_from = source
        return _store


def close_vector_store() -> None:
    """Close the open store (tests, shutdown)."""
    global _store, _opened_from
    with _lock:
        if _store is not None:
            _store.close()
        _store, _opened_from = None, None
