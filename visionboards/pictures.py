"""A product's picture for a board: the stored image, else its URL through the safe fetcher.

Every way a picture can fail (none, missing file, broken, too large, wrong format,
a bomb, an unsafe or slow URL) is an :class:`ImageRefused` with the reason; the
composer draws a typographic tile instead and records why.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
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
        data = fetch_image_bytes(product.image_url, limits, allowed=configured_policy())
        return open_image(data, source=product.image_url)
    raise NoPicture("no image")


def _stored_bytes(name: str, max_bytes: int) -> bytes:
    try:
        with default_storage.open(name, "rb") as stored:
            data = stored.read(max_bytes + 1)
    except OSError as exc:  # FileNotFoundError and the storage's own errors
        raise ImageRefused(f"{name}: the stored file cannot be read ({exc})") from exc
    if len(data) > max_bytes:
        raise ImageRefused(f"{name}: more than {max_bytes:,} bytes")
    return data
