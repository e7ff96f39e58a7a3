"""Media on an S3-compatible object store, signed for the address readers can reach."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]
from storages.backends.s3 import S3Storage  # type: ignore[import-untyped]
from storages.utils import clean_name  # type: ignore[import-untyped]


class ObjectStorage(S3Storage):
    """``S3Storage`` whose signed addresses name ``public_endpoint_url`` when it is set.

    The platform talks to the store at ``endpoint_url`` (often a private address); browsers
    and email clients follow a signed address at the public one, such as the reverse proxy
    that fronts the store. Signing is local, so the public address costs no request.
    """

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self._public = threading.local()

    def get_default_settings(self) -> dict[str, Any]:
        return {**super().get_default_settings(), "public_endpoint_url": None}

    def get_modified_time(self, name: str) -> datetime:
        with _not_found_as_file_not_found(name):
            return super().get_modified_time(name)

    def size(self, name: str) -> int:
        with _not_found_as_file_not_found(name):
            return super().size(name)

    def url(
        self,
        name: str,
        parameters: dict[str, Any] | None = None,
        expire: int | None = None,
        http_method: str | None = None,
    ) -> str:
        if not self.public_endpoint_url:
            return str(super().url(name, parameters, expire, http_method))
        client = getattr(self._public, "client", None)
        if client is None:
            client = self._public.client = self._create_session().client(
                "s3",
                region_name=self.region_name,
                endpoint_url=self.public_endpoint_url,
                config=self.client_config,
            )
        params = {
            **(parameters or {}),
            "Bucket": self.bucket_name,
            "Key": self._normalize_name(clean_name(name)),
        }
        return str(
            client.generate_presigned_url(
                "get_object",
                Params=params,
                ExpiresIn=self.querystring_expire if expire is None else expire,
                HttpMethod=http_method,
            )
        )


@contextmanager
def _not_found_as_file_not_found(name: str) -> Iterator[None]:
    """A missing object is FileNotFoundError, as a missing file is on local disk."""
    try:
        yield
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("404", "NoSuchKey"):
            raise FileNotFoundError(f"{name} is not in the object store") from exc
        raise


def bucket_ensure(storage: ObjectStorage) -> bool:
    """Create the storage's bucket when it is missing; True when this call created it."""
    client = storage.connection.meta.client
    try:
        client.head_bucket(Bucket=storage.bucket_name)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("404", "NoSuchBucket"):
            raise
    else:
        return False
    client.create_bucket(Bucket=storage.bucket_name)
    return True
