"""A product's picture for a board: the stored image, else its URL through the safe fetcher.

A fetched picture that opens is kept in media storage and used again for
``VISION_BOARD_FETCHED_SECONDS``, so re-rendering boards does not fetch the same
photos again. Every way a picture can fail (none, missing file, broken, too large, wrong format,
a bomb, an unsafe or slow URL) is an :class:`ImageRefused` with the reason; the
composer draws a typographic tile instead and records why.
"""

from __future__ import annotations

from datetime import timedelta
from hashlib import sha256

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from visionboards.fetching import FetchLimits, ImageRefused, configured_policy, fetch_image_bytes
from visionboards.images import open_image
from visionboards.selectors import BoardProduct


class NoPicture(ImageRefused):
    """The product has no picture at all: a typographic tile by design, not a failure."""


def product_picture(product: BoardProduct, limits: FetchLimits) -> Image.Image:
    if product.image:
        return open_image(_stored_bytes(product.image, limits.max_bytes), source=product.image)
    if product.image_url:
        kept = _kept_name(product.image_url)
        if _fresh(kept):
            return open_image(_stored_bytes(kept, limits.max_bytes), source=product.image_url)
        data = fetch_image_bytes(product.image_url, limits, allowed=configured_policy())
        picture = open_image(data, source=product.image_url)
        _keep(kept, data)
        return picture
    raise NoPicture("no image")


def _kept_name(url: str) -> str:
    return f"visionboards/fetched/{sha256(url.encode()).hexdigest()}"


def _fresh(name: str) -> bool:
    try:
        age = timezone.now() - default_storage.get_modified_time(name)
    except (OSError, NotImplementedError):  # not kept (yet), or a storage that cannot tell
        return False
    return age < timedelta(seconds=settings.VISION_BOARD_FETCHED_SECONDS)


def _keep(name: str, data: bytes) -> None:
    default_storage.delete(name)  # an old copy; storage would otherwise save under another name
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:  # another render kept the same picture in between: one copy is enough
        default_storage.delete(saved)


def _stored_bytes(name: str, max_bytes: int) -> bytes:
    try:
        with default_storage.open(name, "rb") as stored:
            data = stored.read(max_bytes + 1)
    except OSError as exc:  # FileNotFoundError and the storage's own errors
        raise ImageRefused(f"{name}: the stored file cannot be read ({exc})") from exc
    if len(data) > max_bytes:
        raise ImageRefused(f"{name}: more than {max_bytes:,} bytes")
    return data
