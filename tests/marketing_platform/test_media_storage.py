"""Media on either storage: the platform's /media/ address works for both; on an object store
the files are private objects and the address redirects to a short-lived signed one. Boards
are personal: served only for a link signed for their name that has not expired.

The object-store tests run against the S3-compatible server that ``ops/services`` starts
(CI's production-parts pass sets ``MEDIA_S3_BUCKET``); elsewhere they skip."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import boto3  # type: ignore[import-untyped]
import pytest
import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client

from marketing_platform.media import media_path, media_url
from marketing_platform.storage import ObjectStorage, bucket_ensure
from tests.support import fetch_media

on_object_store = pytest.mark.skipif(
    not settings.MEDIA_S3_BUCKET,
    reason="needs MEDIA_S3_BUCKET and a running S3-compatible server (ops/services start s3)",
)
pytestmark = pytest.mark.object_store


@pytest.fixture
def stored() -> Iterator[tuple[str, bytes]]:
    data = uuid.uuid4().bytes * 100
    name = default_storage.save(f"boards/tests/{uuid.uuid4().hex}/board one.png", ContentFile(data))
    yield name, data
    default_storage.delete(name)


def test_the_media_address_serves_the_stored_bytes(stored: tuple[str, bytes]) -> None:
    name, data = stored

    assert media_url(name) == settings.SITE_URL + media_path(name)
    assert urlsplit(media_path(name)).path.endswith("/board%20one.png")
    assert fetch_media(media_path(name)) == (200, data)


def test_a_board_link_is_signed_for_its_name_and_expires(stored: tuple[str, bytes]) -> None:
    name, _ = stored
    before = int(time.time())

    query = parse_qs(urlsplit(media_path(name)).query)

    assert (
        before + settings.MEDIA_LINK_SECONDS
        <= int(query["expires"][0])
        <= time.time() + settings.MEDIA_LINK_SECONDS
    )
    assert query["signature"][0]


def altered(address: str, **changes: str) -> str:
    parts = urlsplit(address)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return parts._replace(query=urlencode({**query, **changes})).geturl()


@pytest.mark.parametrize(
    "address",
    [
        pytest.param(lambda name: media_path(name).split("?")[0], id="unsigned"),
        pytest.param(lambda name: altered(media_path(name), signature="A" * 43), id="tampered"),
        pytest.param(lambda name: altered(media_path(name), expires="9999999999"), id="expiry-extended"),
        pytest.param(lambda name: media_path(name, seconds=-1), id="expired"),
        pytest.param(
            lambda name: (
                media_path(name).split("?")[0] + "?" + urlsplit(media_path("boards/other.png")).query
            ),
            id="signed-for-another-board",
        ),
        pytest.param(lambda name: altered(media_path(name), expires="²"), id="not-a-number"),
    ],
)
def test_a_board_is_not_found_without_a_valid_signed_link(
    stored: tuple[str, bytes], address: Callable[[str], str]
) -> None:
    """Not found rather than forbidden: an answer never confirms that a board exists."""
    name, data = stored

    status, body = fetch_media(address(name))

    assert status == 404
    assert data not in body


def test_a_board_answer_is_kept_by_no_shared_cache(stored: tuple[str, bytes]) -> None:
    response: Any = Client().get(media_path(stored[0]))

    assert response["Cache-Control"] == "private"


def test_product_photos_are_public_with_a_plain_address() -> None:
    data = uuid.uuid4().bytes * 10
    name = default_storage.save(f"products/test-{uuid.uuid4().hex}.png", ContentFile(data))
    try:
        assert "?" not in media_path(name)
        assert fetch_media(media_path(name)) == (200, data)
    finally:
        default_storage.delete(name)


def test_a_missing_file_is_not_found() -> None:
    assert fetch_media(media_path(f"boards/tests/{uuid.uuid4().hex}.png"))[0] == 404


@pytest.mark.parametrize("prefix", ["", "boards/../", "boards/..\\"])
def test_model_artifacts_and_other_internal_files_are_never_served(prefix: str) -> None:
    """A model is trained on customer data; only boards and product photos are shown."""
    artifact = default_storage.save(f"recommender/model-test-{uuid.uuid4().hex}.pkl", ContentFile(b"x"))
    try:
        assert (
            Client()
            .get(media_path(prefix + artifact.replace("/", "\\" if "\\" in prefix else "/")))
            .status_code
            == 404
        )
    finally:
        default_storage.delete(artifact)


@on_object_store
def test_files_are_private_objects_in_the_bucket(stored: tuple[str, bytes]) -> None:
    name, data = stored
    options = settings.STORAGES["default"]["OPTIONS"]
    client = boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
        region_name=options["region_name"] or "us-east-1",
    )
    key = f"{options['location']}/{name}".lstrip("/")

    assert client.get_object(Bucket=settings.MEDIA_S3_BUCKET, Key=key)["Body"].read() == data
    unsigned = f"{options['endpoint_url']}/{settings.MEDIA_S3_BUCKET}/{key}"
    anonymous = requests.get(unsigned, timeout=10)
    assert anonymous.status_code >= 400
    assert data not in anonymous.content


@on_object_store
def test_the_media_address_redirects_to_a_signed_address_that_expires(
    stored: tuple[str, bytes],
) -> None:
    name, _ = stored

    response: Any = Client().get(media_path(name))

    assert response.status_code == 302
    assert "X-Amz-Signature=" in response["Location"]
    assert f"X-Amz-Expires={settings.MEDIA_SIGNED_URL_SECONDS}" in response["Location"]


@on_object_store
def test_signed_addresses_name_the_public_endpoint_and_work_there(settings: Any) -> None:
    options = settings.STORAGES["default"]["OPTIONS"]
    public = options["endpoint_url"].replace("127.0.0.1", "localhost")  # the same store, another name
    storage = ObjectStorage(**{**options, "public_endpoint_url": public})
    data = uuid.uuid4().bytes
    name = storage.save(f"tests/{uuid.uuid4().hex}.bin", ContentFile(data))
    try:
        address = storage.url(name)

        assert address.startswith(f"{public}/{settings.MEDIA_S3_BUCKET}/")
        assert requests.get(address, timeout=10).content == data
    finally:
        storage.delete(name)


@on_object_store
def test_the_bucket_is_made_once_when_missing(settings: Any) -> None:
    options = settings.STORAGES["default"]["OPTIONS"]
    storage = ObjectStorage(**{**options, "bucket_name": f"platform-test-{uuid.uuid4().hex[:12]}"})

    try:
        assert bucket_ensure(storage) is True
        assert bucket_ensure(storage) is False
        storage.save("probe.txt", ContentFile(b"ok"))
        assert storage.exists("probe.txt")
    finally:
        storage.delete("probe.txt")
        storage.bucket.delete()


def test_the_bucket_command_names_what_it_did() -> None:
    out = StringIO()

    call_command("media_bucket", stdout=out)

    expected = f"Bucket {settings.MEDIA_S3_BUCKET} exists." if settings.MEDIA_S3_BUCKET else "local files"
    assert expected in out.getvalue()


def test_a_missing_file_is_file_not_found_on_either_storage() -> None:
    name = f"tests/{uuid.uuid4().hex}.png"

    for read in (default_storage.get_modified_time, default_storage.size):
        with pytest.raises(FileNotFoundError):
            read(name)
