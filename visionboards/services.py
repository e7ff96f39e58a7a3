"""Writes for vision boards: asking for one, rendering it, refreshing it after a change.

A board row (with its version, unique per customer) exists before any work starts, so
a repeated request finds the render already under way instead of starting another,
and a render task that runs twice finishes the same board once.
"""

from __future__ import annotations

import logging
import posixpath
import secrets
from collections.abc import Iterable, Sequence
from datetime import timedelta
from io import BytesIO

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image

from customers.models import Customer
from marketing_platform.cache import CacheUnavailable, cache_unavailable
from marketing_platform.transactions import after_commit
from recommendations.serving import recommendations_states
from visionboards.composer import compose
from visionboards.models import BoardStatus, VisionBoard
from visionboards.selectors import (
    board_sources_for,
    customers_with_boards,
    customers_without_fresh_board,
    latest_board,
)

logger = logging.getLogger(__name__)
UNDER_WAY = (BoardStatus.PENDING, BoardStatus.RENDERING)
# A board waiting this long lost its task (a broker restart): it is queued again.
LOST_AFTER = timedelta(minutes=5)


def board_is_stale(board: VisionBoard) -> bool:
    """A ready board is stale once the customer's recommendations changed since it was drawn."""
    state = recommendations_states([board.customer_id])[board.customer_id]
    if cache_unavailable():  # the state is unknown; drawing a new board each request would not help
        return board.status != BoardStatus.READY
    return board.status != BoardStatus.READY or board.source.get("state") != state


def vision_board_request(customer_id: int, *, force: bool = False, queue: bool = True) -> VisionBoard:
    """The customer's latest board if it is ready and fresh (and not ``force``); else the board
    being rendered, or a new one queued for rendering (``queue=False``: the caller renders it)."""
    latest = latest_board(customer_id)
    if latest is not None and not force and not board_is_stale(latest):
        return latest  # the common case answers without a lock
    with transaction.atomic():
        Customer.objects.select_for_update().only("pk").get(pk=customer_id)  # one new version at a time
        latest = latest_board(customer_id)
        if latest is not None and latest.status in UNDER_WAY:
            if queue and latest.requested_at < timezone.now() - LOST_AFTER:
                _queue(latest)
            return latest
        if latest is not None and not force and not board_is_stale(latest):
            return latest
        board = VisionBoard.objects.create(
            customer_id=customer_id, version=latest.version + 1 if latest else 1
        )
        if queue:
            _queue(board)
        return board


def vision_boards_prepare(customer_ids: Sequence[int]) -> int:
    """Draw here, one after the other, the boards these customers lack or have out of date (a
    campaign's render worker, before the emails that show them). A board that fails stays
    failed, and its email leaves the board out. Returns how many were drawn."""
    drawn = 0
    for customer_id in customers_without_fresh_board(customer_ids):
        try:
            board = vision_board_request(customer_id, queue=False)
            if board.status != BoardStatus.READY:
                vision_board_render(board.pk)
                drawn += 1
        except Exception:  # the others' boards, and every email, still go ahead
            logger.exception("The board of customer %s could not be drawn before a send", customer_id)
    return drawn


def vision_board_render(board_id: int) -> VisionBoard:
    """Draw the board and store both PNGs with the layout and the data it was made from. A
    board already ready is left as it is. A picture never fails a board (fallback tiles); any
    other error marks it failed with the message."""
    board = VisionBoard.objects.select_related("customer").get(pk=board_id)
    if board.status == BoardStatus.READY:
        return board
    VisionBoard.objects.filter(pk=board_id).update(status=BoardStatus.RENDERING)
    try:
        source = board_sources_for([board.customer])[board.customer_id]
        composed = compose(source, now=timezone.now())
        files = {name: png_bytes(image) for name, image in composed.images.items()}
    except Exception as exc:
        logger.exception("Vision board %s of customer %s failed", board.pk, board.customer_id)
        VisionBoard.objects.filter(pk=board_id).update(status=BoardStatus.FAILED, error=str(exc)[:2000])
        board.refresh_from_db()
        return board
    stored = {name: board_file_store(f"boards/{name}", data) for name, data in files.items()}
    try:
        with transaction.atomic():
            board = VisionBoard.objects.select_for_update().get(pk=board_id)
            if board.status == BoardStatus.READY:  # another worker got there first
                _delete(stored.values())
                return board
            board.social_image, board.screen_image = stored["social"], stored["screen"]
            board.layout = composed.layout
            board.source = source.as_dict()
            board.fallbacks = composed.fallbacks
            board.status = BoardStatus.READY
            board.error = ""
            board.generated_at = timezone.now()
            board.save()
    except BaseException:  # not committed: no row names these files
        _delete(stored.values())
        raise
    return board


def vision_board_files_rename() -> int:
    """Move board files still under a guessable name (``customer-{pk}-v{n}.png``, as boards were
    once stored) to random names and remove the old files. Run again, it finds nothing to do.
    Returns how many files moved."""
    moved = 0
    for field in ("social_image", "screen_image"):
        boards = VisionBoard.objects.exclude(**{field: ""}).exclude(**{f"{field}__regex": RANDOM_NAME})
        for pk, name in boards.values_list("pk", field).iterator():
            try:
                with default_storage.open(name, "rb") as old:
                    new = board_file_store(posixpath.dirname(name), old.read())
            except OSError:
                logger.warning("Vision board %s: %s is missing; it was not moved", pk, name)
                continue
            if VisionBoard.objects.filter(pk=pk, **{field: name}).update(**{field: new}):
                default_storage.delete(name)
                moved += 1
            else:  # rendered again meanwhile
                default_storage.delete(new)
    return moved


def vision_boards_refresh_later(customer_ids: Sequence[int]) -> int:
    """After a change in these customers' recommendations: their boards (those who have one)
    are rendered again once the changes go quiet (``VISION_BOARD_REFRESH_SECONDS``), not once
    per change. Returns how many refreshes were scheduled."""
    from visionboards.tasks import refresh_vision_board

    delay = settings.VISION_BOARD_REFRESH_SECONDS
    scheduled = 0
    for customer_id in customers_with_boards(customer_ids):
        if _first_refresh(customer_id, delay * 2):
            refresh_vision_board.apply_async((customer_id,), countdown=delay)
            scheduled += 1
    return scheduled


def vision_board_refresh(customer_id: int) -> VisionBoard | None:
    """The debounced refresh: changes from now on schedule the next one. None when the
    customer has been deleted since."""
    cache.delete(_refresh_key(customer_id))
    try:
        return vision_board_request(customer_id)
    except Customer.DoesNotExist:
        return None


def _refresh_key(customer_id: int) -> str:
    return f"vision-board:refresh:{customer_id}"


def _first_refresh(customer_id: int, timeout: int) -> bool:
    """Whether no refresh of this customer's board is pending (one at a time). Without the cache
    that cannot be told: one refresh too many finds the board fresh, a lost one would leave it stale."""
    try:
        return cache.add(_refresh_key(customer_id), True, timeout)
    except CacheUnavailable:
        return True


def _queue(board: VisionBoard) -> None:
    from visionboards.tasks import render_vision_board

    after_commit(render_vision_board.delay, board.pk)


def png_bytes(image: Image.Image) -> bytes:
    encoded = BytesIO()
    image.save(encoded, "PNG", compress_level=settings.VISION_BOARD_PNG_COMPRESSION)
    return encoded.getvalue()


RANDOM_NAME = r"^boards/(social|screen)/[A-Za-z0-9_-]{22}\.png$"


def board_file_store(folder: str, data: bytes) -> str:
    """Store a board's PNG under a random name in ``folder``: a board is personal, so its
    address must not be guessable from the customer or the version."""
    return default_storage.save(f"{folder}/{secrets.token_urlsafe(16)}.png", ContentFile(data))


def _delete(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)
