"""Addresses of stored media that work on every storage: the platform's own ``/media/…``.

Emails and API answers link there, never to the storage's address: a local file is
streamed from ``MEDIA_ROOT``, an object in the store is a redirect to a freshly signed
address. Only what is made to be shown is served. Product photos are public. Boards are
personal (a customer's name, interests and purchases): their names carry a random token,
and their addresses a signature of the name and an expiry time, checked before anything is
read; anything else (a guessed name, a link altered or past its time) is not found, so an
answer never confirms that a board exists. Model artifacts, fetched pictures and anything
else in storage are never served.
"""

from __future__ import annotations

import posixpath
import time
from collections.abc import Mapping
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage, default_storage
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.views.static import serve

PUBLIC = ("products/",)
PERSONAL = ("boards/",)
_signer = signing.Signer(salt="marketing_platform.media")


def media_path(name: str, *, seconds: int | None = None) -> str:
    """The site-relative address of a stored file; a personal file's is signed and valid for
    ``seconds`` (``MEDIA_LINK_SECONDS`` when not given)."""
    path = f"/{settings.MEDIA_URL.strip('/')}/{quote(name)}"
    if name.startswith(PUBLIC):
        return path
    expires = int(time.time()) + (settings.MEDIA_LINK_SECONDS if seconds is None else seconds)
    signature = _signer.sign(f"{name}:{expires}").rsplit(":", 1)[1]
    return f"{path}?{urlencode({'expires': expires, 'signature': signature})}"


def media_url(name: str, *, seconds: int | None = None) -> str:
    """The absolute address of a stored file, for emails and other places without a request."""
    return settings.SITE_URL + media_path(name, seconds=seconds)


def media_address(request: HttpRequest | None, file: FieldFile | None) -> str | None:
    """The absolute address of a file field's file (as the request reached us), or None."""
    if not file or not file.name:
        return None
    if request is None:
        return media_url(file.name)
    return request.build_absolute_uri(media_path(file.name))


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    # a backslash would become a slash in the object store's key, after this check
    if "\\" in path or posixpath.normpath(path) != path or not path.startswith(PUBLIC + PERSONAL):
        raise Http404("No such picture.")
    personal = path.startswith(PERSONAL)
    if personal and not _signed(path, request.GET):
        raise Http404("No such picture.")
    response: HttpResponseBase
    if isinstance(default_storage, FileSystemStorage):
        response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    else:
        response = HttpResponseRedirect(default_storage.url(path))
    if personal:
        response["Cache-Control"] = "private"  # never kept by a shared cache for others
        response["Referrer-Policy"] = "no-referrer"
    return response


def _signed(name: str, query: Mapping[str, str]) -> bool:
    """Whether ``query`` carries this name's signature, not yet expired."""
    expires, signature = query.get("expires", ""), query.get("signature", "")
    if not (expires.isascii() and expires.isdigit() and len(expires) < 16) or int(expires) < time.time():
        return False
    try:
        _signer.unsign(f"{name}:{expires}:{signature}")
    except signing.BadSignature:
        return False
    return True
