"""The vector store on Milvus through pymilvus's ``MilvusClient``: Milvus Lite when the source is
a ``….db`` path (a file under ``VAR_DIR``, served by a child process of the one process that
opens it), a Milvus server when it is a URI.

One collection holds the vectors of one embedding model: its name is the configured prefix and
a digest of the model and dimension, so a process that starts with another model makes a new
collection (and drops the old one) instead of mixing vectors that cannot be compared.

The index is FLAT with the COSINE metric: exact search, the same answer on both engines, no
build parameters to tune, and a full scan of 10,000 384-float vectors takes milliseconds; an
approximate index (HNSW) pays off only at millions of vectors, where a server's AUTOINDEX is
the switch to make.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from grpc import RpcError
from pymilvus import DataType, MilvusClient, MilvusException

from conversations.vectors.port import (
    EVERYTHING,
    Vector,
    VectorFilter,
    VectorHit,
    VectorRecord,
    VectorStoreUnavailable,
)
from marketing_platform.bulk import chunked

BATCH = 1000  # rows per request: 1000 vectors of 384 floats are 1.5 MB, well under gRPC's limit
MAX_K = 16384  # Milvus's own limit on top-k
# A range search keeps scores above its radius, and a float32 score may round just under the
# bar asked for: the radius sits this much lower and the bar is applied again to the hits.
RADIUS_SLACK = 1e-4
NO_INTENT = 0  # Milvus 2.3 has no nullable fields; primary keys start at 1
MODEL_NAME = re.compile(r"[\w.:/@+-]{1,200}")  # quoted into filters without escaping
EXACT = {"consistency_level": "Strong"}  # counts and ids for verification see every acknowledged write
T = TypeVar("T")


class MilvusVectorStore:
    """A :class:`~conversations.vectors.port.VectorStore` on one Milvus collection.

    Every call waits at most ``timeout`` seconds. Milvus Lite keeps its files locked by the
    process that opened them: like the embedded graph, only one process may use it.
    """

    def __init__(self, source: str, *, prefix: str, token: str = "", timeout: float = 5.0) -> None:
        self.lite = source.endswith(".db")
        self.name = "milvus-lite" if self.lite else "milvus"
        self.source, self.prefix, self.timeout = source, prefix, timeout
        self.collection: str | None = None  # chosen by ensure_collection
        self._model = ""
        self._dimension = 0
        self.client: MilvusClient = self._call("open", lambda: self._connect(token))

    def _connect(self, token: str) -> MilvusClient:
        if self.lite:
            Path(self.source).parent.mkdir(parents=True, exist_ok=True)
        return MilvusClient(uri=self.source, token=token, timeout=self.timeout)

    # collection ------------------------------------------------------------------
    def ensure_collection(self, *, dimension: int, model: str) -> bool:
        if dimension < 1:
            raise ValueError(f"a vector needs at least one dimension, not {dimension}")
        if not MODEL_NAME.fullmatch(model):
            raise ValueError(f"an embedding model's name is letters, digits and ._:/@+- only: {model!r}")
        digest = hashlib.sha256(f"{model}\n{dimension}".encode()).hexdigest()[:16]
        name = f"{self.prefix}_{digest}"
        if name == self.collection:
            return False
        created = self._call("prepare", lambda: self._prepare(name, dimension, model))
        self.collection, self._model, self._dimension = name, model, dimension
        return created

    def _prepare(self, name: str, dimension: int, model: str) -> bool:
        existing = self.client.list_collections(timeout=self.timeout)
        if name in existing:
            self.client.load_collection(name, timeout=self.timeout)
            return False
        ours = re.compile(rf"{re.escape(self.prefix)}_[0-9a-f]{{16}}")
        for other in filter(ours.fullmatch, existing):  # another model's vectors: useless now
            self.client.drop_collection(other, timeout=self.timeout)
        schema = MilvusClient.create_schema(
            auto_id=False, enable_dynamic_field=False, description=f"{model}, {dimension} dimensions"
        )
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
        schema.add_field("customer_id", DataType.INT64)
        schema.add_field("intent_id", DataType.INT64)
        schema.add_field("sent_at", DataType.INT64)  # seconds since the epoch
        schema.add_field("model", DataType.VARCHAR, max_length=200)
        index = self.client.prepare_index_params()
        index.add_index(field_name="vector", index_type="FLAT", metric_type="COSINE")
        self.client.create_collection(
            name,
            schema=schema,
            index_params=index,
            # a search sees this process's own writes at once and other processes' within a
            # second or so, without waiting for the server's next time tick (Strong: ~0.2-0.4 s)
            consistency_level="Session",
            timeout=self.timeout,
        )
        return True

    # writes ------------------------------------------------------------------------
    def upsert(self, records: Iterable[VectorRecord]) -> int:
        collection, model = self._require_collection()
        latest = {record.message_id: record for record in records}  # one row per id, the last wins
        rows = [self._row(record, model) for record in latest.values()]
        for batch in chunked(rows, BATCH):
            self._call("upsert", partial(self.client.upsert, collection, batch, timeout=self.timeout))
        return len(rows)

    def delete(self, message_ids: Iterable[int]) -> None:
        collection, _ = self._require_collection()
        for batch in chunked(sorted({int(pk) for pk in message_ids}), BATCH):
            self._call("delete", partial(self.client.delete, collection, ids=batch, timeout=self.timeout))

    def _row(self, record: VectorRecord, model: str) -> dict[str, Any]:
        return {
            "id": record.message_id,
            "vector": self._vector(record.vector),
            "customer_id": record.customer_id,
            "intent_id": NO_INTENT if record.intent_id is None else record.intent_id,
            "sent_at": _epoch(record.sent_at),
            "model": model,
        }

    # reads -------------------------------------------------------------------------
    def search(self, vector: Vector, k: int, where: VectorFilter = EVERYTHING) -> list[VectorHit]:
        collection, model = self._require_collection()
        if not 1 <= k <= MAX_K:
            raise ValueError(f"k is how many results to return: 1 to {MAX_K}, not {k}")
        if where.customer_ids is not None and not where.customer_ids:
            return []  # among no customers' messages (Milvus Lite fails on `in []`)
        conditions = [f'model == "{model}"']
        if where.customer_ids is not None:
            conditions.append(f"customer_id in {[int(pk) for pk in where.customer_ids]}")
        if where.intent_id is not None:
            conditions.append(f"intent_id == {int(where.intent_id)}")
        if where.since is not None:
            conditions.append(f"sent_at >= {_epoch(where.since)}")
        query = self._vector(vector)
        params: dict[str, Any] = {"metric_type": "COSINE"}
        if where.min_score is not None:  # a range search: Milvus keeps what is above the radius
            params["params"] = {"radius": min(1.0, max(-1.0, where.min_score - RADIUS_SLACK))}
        found = self._call(
            "search",
            lambda: self.client.search(
                collection,
                data=[query],
                limit=k,
                filter=" and ".join(conditions),
                anns_field="vector",
                search_params=params,
                timeout=self.timeout,
            ),
        )
        hits = [VectorHit(int(hit["id"]), float(hit["distance"])) for hit in found[0]]
        return hits if where.min_score is None else [hit for hit in hits if hit.score >= where.min_score]

    def count(self) -> int:
        collection, _ = self._require_collection()
        query = partial(self.client.query, collection, filter="", output_fields=["count(*)"], **EXACT)
        rows = self._call("count", partial(query, timeout=self.timeout))
        return int(rows[0]["count(*)"])

    def ids(self) -> Iterator[int]:
        collection, _ = self._require_collection()
        batches = self._call(
            "read ids",
            lambda: self.client.query_iterator(
                collection, batch_size=BATCH, output_fields=["id"], timeout=self.timeout, **EXACT
            ),
        )
        try:
            while rows := self._call("read ids", batches.next):
                yield from (int(row["id"]) for row in rows)
        finally:
            batches.close()

    def close(self) -> None:
        self.client.close()
        if self.lite:
            from milvus_lite.server_manager import server_manager_instance  # type: ignore[import-untyped]

            server_manager_instance.release_server(self.source)

    # helpers -----------------------------------------------------------------------
    def _require_collection(self) -> tuple[str, str]:
        """The collection and model that :meth:`ensure_collection` chose."""
        if self.collection is None:
            raise RuntimeError("call ensure_collection(dimension=…, model=…) before using the vector store")
        return self.collection, self._model

    def _vector(self, vector: Vector) -> list[float]:
        array = np.asarray(vector, dtype=np.float32)
        if array.shape != (self._dimension,) or not np.isfinite(array).all():
            raise ValueError(f"a vector here is {self._dimension} finite numbers; got shape {array.shape}")
        return array.tolist()

    def _call(self, what: str, action: Callable[[], T]) -> T:
        """Run one request; a store that does not answer is one readable error."""
        try:
            return action()
        except (MilvusException, RpcError, OSError) as error:
            where = f"Milvus Lite at {self.source}" if self.lite else f"the Milvus server at {self.source}"
            hint = (
                " (only one process may open a Milvus Lite store; set MILVUS_URI to share a server)"
                if self.lite
                else " (is it running? `make milvus` starts one on 127.0.0.1)"
            )
            raise VectorStoreUnavailable(f"{what}: {where} did not answer: {error}{hint}") from error


def _epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError(f"a moment needs its time zone: {moment.isoformat()}")
    return int(moment.timestamp())
