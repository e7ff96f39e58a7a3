"""Opening untrusted image bytes: the format is read from the content and must be one we
draw; anything larger than ``VISION_BOARD_MAX_PIXELS`` (Pillow's decompression-bomb limit,
lowered to it when the app starts) is refused before it is decoded."""

from __future__ import annotations

import warnings
from io import BytesIO

from PIL import Image, UnidentifiedImageError

from visionboards.fetching import ImageRefused

FORMATS = ("JPEG", "PNG", "WEBP", "GIF")


def open_image(data: bytes, *, source: str) -> Image.Image:
    """The decoded image in RGB(A), or :class:`ImageRefused` (not an image, a format we do not
    draw, truncated, or a decompression bomb)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # refused from the limit up
            with Image.open(BytesIO(data), formats=FORMATS) as image:
                image.load()
                return image.convert("RGBA" if _has_alpha(image) else "RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused(f"{source}: {exc}") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:  # truncated or corrupt data
        raise ImageRefused(f"{source}: a broken image ({exc})") from exc


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
