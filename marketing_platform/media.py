"""Addresses of stored media that work on every storage: the platform's own ``/media/…``.

Emails and API answers link there, never to the storage's address: a local file is
streamed from ``MEDIA_ROOT``, an object in the store is a redirect to a freshly signed
address. So an email opened a month later still shows its pictures, on either storage.
Only what is made to be shown is served (boards, product photos); model artifacts,
fetched pictures and anything else in storage are not.
"""

from __future__ import annotations

import posixpath
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponseRedirect
from django.views.static import serve

SHOWN = ("boards/", "products/")


def media_path(name: str) -> str:
    """The site-relative address of a stored file."""
    return f"/{settings.MEDIA_URL.strip('/')}/{quote(name)}"


def media_url(name: str) -> str:
    """The absolute address of a stored file, for emails and other places without a request."""
    return settings.SITE_URL + media_path(name)


def media_address(request: HttpRequest | None, file: FieldFile | None) -> str | None:
    """The absolute address of a file field's file (as the request reached us), or None."""
    if not file or not file.name:
        return None
    if request is None:
        return media_url(file.name)
    return request.build_absolute_uri(media_path(file.name))


def serve_media(request: HttpRequest, path: str) -> FileResponse | HttpResponseRedirect:
    # a backslash would become a slash in the object store's key, after this check
    if "\\" in path or posixpath.normpath(path) != path or not path.startswith(SHOWN):
        raise Http404("No such picture.")
    if isinstance(default_storage, FileSystemStorage):
        return serve(request, path, document_root=str(settings.MEDIA_ROOT))
    return HttpResponseRedirect(default_storage.url(path))
