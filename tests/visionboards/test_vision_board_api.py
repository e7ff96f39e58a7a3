"""GET/POST /api/v1/customers/{id}/vision-board on the demo sample of the real data set."""

from __future__ import annotations

import html
import posixpath
import re
import time
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from catalog.models import Product
from catalog.services import demo_photos_attach
from marketing_platform.media import media_path
from recommendations.cache import recommendations_invalidate
from tests.catalog.test_demo_photos import DEMO_PHOTOS
from tests.factories import Store
from tests.support import WorkerStarter, fetch_media
from tests.waiting import wait_for
from visionboards.models import BoardStatus, VisionBoard
from visionboards.services import (
    RANDOM_NAME,
    vision_board_files_rename,
    vision_board_refresh,
    vision_board_render,
    vision_board_request,
    vision_boards_refresh_later,
)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def url(store: Store) -> str:
    return f"/api/v1/customers/{store.customer.external_id}/vision-board"


def render_all() -> None:
    for pk in VisionBoard.objects.filter(status=BoardStatus.PENDING).values_list("pk", flat=True):
        vision_board_render(pk)


def rendered_board(store: Store, client: APIClient) -> VisionBoard:
    """The customer's first board, asked for through the API and rendered."""
    client.get(url(store))
    render_all()
    return VisionBoard.objects.get(customer=store.customer)


def test_the_first_get_starts_a_render_and_answers_202_until_the_board_is_ready(
    store: Store, staff_client: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    demo_photos_attach(DEMO_PHOTOS)
    with django_capture_on_commit_callbacks() as queued:
        first = staff_client.get(url(store))
        again = staff_client.get(url(store))

    assert first.status_code == again.status_code == 202
    assert first["Retry-After"] == "2"
    assert first.json()["status"] == "pending"
    assert first.json()["version"] == again.json()["version"] == 1
    assert first.json()["previous"] is None
    assert len(queued) == 1  # one render, however often it is asked for
    assert VisionBoard.objects.count() == 1

    render_all()
    ready = staff_client.get(url(store))

    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready"
    assert set(body["layout"]["formats"]) == {"social", "screen"}
    assert len(body["layout"]["formats"]["social"]["sections"]) == 9
    assert body["fallbacks"]  # most demo products have no photo: typographic tiles, with the reason
    skus = set(Product.objects.values_list("sku", flat=True))
    for section in body["layout"]["formats"]["social"]["sections"]:  # what frontends know products by
        assert set(section["skus"]) <= skus
        assert len(section["skus"]) == (0 if section["type"] == "interest" else 1)
    assert {fallback["sku"] for fallback in body["fallbacks"]} <= skus
    for name, size in (("social", (1080, 1350)), ("screen", (1920, 1080))):
        found, picture = fetch_media(body["images"][name])
        assert found == 200
        assert Image.open(BytesIO(picture)).size == size


def test_a_ready_board_held_is_confirmed_until_a_new_one_is_drawn(
    store: Store, staff_client: APIClient, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff_client.get(url(store))
    render_all()
    ready = staff_client.get(url(store))
    etag = ready["ETag"]

    held = staff_client.get(url(store), HTTP_IF_NONE_MATCH=etag)

    assert (held.status_code, held.content) == (304, b"")
    assert held["ETag"] == etag
    assert ready["Last-Modified"] == held["Last-Modified"]
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + settings.MEDIA_LINK_SECONDS // 2)
    assert staff_client.get(url(store), HTTP_IF_NONE_MATCH=etag).status_code == 200  # links to renew
    monkeypatch.undo()
    recommendations_invalidate([store.customer.pk])
    assert staff_client.get(url(store), HTTP_IF_NONE_MATCH=etag).status_code == 202  # drawn again


def test_a_change_in_recommendations_makes_the_board_stale(store: Store, staff_client: APIClient) -> None:
    staff_client.get(url(store))
    render_all()

    recommendations_invalidate([store.customer.pk])  # a new purchase, say
    response = staff_client.get(url(store))

    assert response.status_code == 202
    body = response.json()
    assert body["version"] == 2
    assert body["previous"]["version"] == 1  # shown meanwhile
    assert urlsplit(body["previous"]["images"]["social"]).path.endswith(".png")


def test_post_renders_a_new_board_but_never_two_at_once(store: Store, staff_client: APIClient) -> None:
    staff_client.get(url(store))
    render_all()

    forced = staff_client.post(url(store))
    repeated = staff_client.post(url(store))

    assert forced.status_code == repeated.status_code == 202
    assert forced.json()["version"] == repeated.json()["version"] == 2
    assert VisionBoard.objects.filter(customer=store.customer).count() == 2


def test_an_unknown_customer_is_a_404_in_the_error_envelope(db: None, staff_client: APIClient) -> None:
    response = staff_client.get("/api/v1/customers/nobody/vision-board")

    assert response.status_code == 404
    assert response.json()["error_code"] == "not_found"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_renders_boards_and_a_burst_of_changes_renders_once_more(
    store: Store, staff_client: APIClient, settings: Any, celery_worker: WorkerStarter
) -> None:
    settings.VISION_BOARD_REFRESH_SECONDS = 1
    boards = VisionBoard.objects.filter(customer=store.customer)
    ready = boards.filter(status=BoardStatus.READY)
    with celery_worker():
        assert staff_client.get(url(store)).status_code == 202
        assert wait_for(lambda: ready.count() == 1), "the worker never rendered the board"
        assert staff_client.get(url(store)).status_code == 200

        for _ in range(3):  # three purchases in quick succession
            recommendations_invalidate([store.customer.pk])
        assert wait_for(lambda: ready.count() == 2), "the change never re-rendered the board"
        time.sleep(3)  # past the quiet period: nothing else is coming

    assert list(boards.order_by("version").values_list("version", "status")) == [(1, "ready"), (2, "ready")]


def test_a_burst_of_changes_schedules_one_refresh_and_the_next_change_another(
    store: Store, staff_client: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    staff_client.get(url(store))
    render_all()
    others = [store.customer.pk + 1000]  # customers without a board are not refreshed

    burst = [vision_boards_refresh_later([store.customer.pk, *others]) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=False):
        refreshed = vision_board_refresh(store.customer.pk)  # what the scheduled task does
    later = vision_boards_refresh_later([store.customer.pk])

    assert burst == [1, 0, 0]
    assert refreshed is not None
    assert refreshed.version == 1  # nothing changed in its recommendations: the board is fresh
    assert later == 1


def test_the_customers_email_shows_its_latest_board(store: Store, staff_client: APIClient) -> None:
    email = f"/api/v1/customers/{store.customer.external_id}/email"
    before = staff_client.post(email, {}, format="json").json()
    staff_client.get(url(store))
    render_all()

    after = staff_client.post(email, {}, format="json").json()

    assert before["personalization"]["vision_board"] is None
    board = after["personalization"]["vision_board"]
    stored = VisionBoard.objects.get(customer=store.customer)
    assert urlsplit(board["image_url"]).path == media_path(stored.social_image.name).split("?")[0]
    assert board["alt"].startswith("Your vision board: ")
    assert board["image_url"].replace("&", "&amp;") in after["html"]
    found, picture = fetch_media(board["image_url"])
    assert found == 200
    assert Image.open(BytesIO(picture)).size == (1080, 1350)


def link_lifetime(address: str) -> float:
    return int(parse_qs(urlsplit(address).query)["expires"][0]) - time.time()


def test_board_links_expire_soon_in_api_answers_and_after_weeks_in_emails(
    store: Store, staff_client: APIClient, settings: Any
) -> None:
    staff_client.get(url(store))
    render_all()

    images = staff_client.get(url(store)).json()["images"]
    emailed = staff_client.post(f"/api/v1/customers/{store.customer.external_id}/email", {}, format="json")

    assert 0 < link_lifetime(images["social"]) <= settings.MEDIA_LINK_SECONDS
    board = emailed.json()["personalization"]["vision_board"]
    for address in (board["image_url"], board["url"]):
        assert settings.MEDIA_LINK_SECONDS < link_lifetime(address) <= settings.MEDIA_EMAIL_LINK_SECONDS


def test_board_files_have_random_names_that_a_guess_does_not_find(
    store: Store, staff_client: APIClient
) -> None:
    board = rendered_board(store, staff_client)

    for file in (board.social_image, board.screen_image):
        assert re.fullmatch(RANDOM_NAME, file.name)
        assert str(store.customer.pk) not in file.name.rsplit("/", 1)[1].split("-")
    for guess in (board.social_image.name, f"boards/social/customer-{store.customer.pk}-v1.png"):
        assert Client().get(f"/media/{guess}").status_code == 404


def test_a_board_rendered_again_gets_new_names_and_keeps_its_old_files_for_links_already_sent(
    store: Store, staff_client: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    board = rendered_board(store, staff_client)
    old = [board.social_image.name, board.screen_image.name]
    VisionBoard.objects.filter(pk=board.pk).update(status=BoardStatus.PENDING)  # a render that is retried

    with django_capture_on_commit_callbacks(execute=True):
        vision_board_render(board.pk)

    board.refresh_from_db()
    assert {board.social_image.name, board.screen_image.name}.isdisjoint(old)
    assert all(default_storage.exists(name) for name in old)  # an email may show them for weeks
    assert default_storage.exists(board.social_image.name)


def test_boards_stored_under_guessable_names_move_to_random_ones(
    store: Store, staff_client: APIClient
) -> None:
    board = rendered_board(store, staff_client)
    pictures = {}
    for field, file in (("social_image", board.social_image), ("screen_image", board.screen_image)):
        pictures[field] = file.read()
        file.close()
        guessable = default_storage.save(
            f"{posixpath.dirname(file.name)}/customer-{store.customer.pk}-v1.png",
            ContentFile(pictures[field]),
        )
        default_storage.delete(file.name)
        setattr(board, field, guessable)
    board.save()
    out = StringIO()

    call_command("board_files_rename", stdout=out)

    board.refresh_from_db()
    assert "Moved 2 board file(s)" in out.getvalue()
    for field, picture in pictures.items():
        name = getattr(board, field).name
        assert re.fullmatch(RANDOM_NAME, name)
        with default_storage.open(name, "rb") as moved:
            assert moved.read() == picture
    assert not default_storage.exists(f"boards/social/customer-{store.customer.pk}-v1.png")
    assert vision_board_files_rename() == 0  # nothing left to move


def test_the_admin_shows_boards_through_signed_links(store: Store, admin_client: Client) -> None:
    vision_board_request(store.customer.pk)
    render_all()

    gallery = admin_client.get("/admin/visionboards/visionboard/gallery/").content.decode()

    sources = [html.unescape(src) for src in re.findall(r'<img src="([^"]+)"', gallery)]
    assert len(sources) == 1
    assert "signature=" in sources[0]
    assert fetch_media(sources[0])[0] == 200
