"""Private files: what the app generates for staff (the all-cards PDF, and any
report or export kept as a file) and every uploaded photo — never in the
public media root.

- **Where**: ``PRIVATE_MEDIA_ROOT`` (default ``var/private``), a folder that
  no web server location maps to a URL. Photos live there too, published or
  not: a view lets anyone see a published one and staff the others, so that
  publishing or unpublishing moves no file (docs/decisions.md). Settings
  refuse a private root inside the public one or the other way round.
- **Names**: every private file name carries a random token
  (``unguessable_name``), so that even a mistake in a proxy's config does not
  let anyone walk the names (an earlier name held the date, minute and id).
- **Serving**: only through a view that checks the user's permission first,
  then ``private_file_response``: Django's ``FileResponse`` by default, or,
  with ``PRIVATE_MEDIA_ACCEL_PREFIX`` set (e.g. ``/private-media/``), an
  empty response with ``X-Accel-Redirect`` that nginx answers from an
  ``internal`` location (docs/deployment.md) — the worker is free at once.

Fields use ``storage=private_storage`` (a callable: migrations keep the
reference, not a path, and the root is read from settings at each use).
"""

from __future__ import annotations

import os
import secrets
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse

from scheduling.http import content_disposition

#: Random bytes in every private file name (32 URL-safe characters).
TOKEN_BYTES = 24


class PrivateStorage(FileSystemStorage):
    """A file-system storage rooted at ``PRIVATE_MEDIA_ROOT``, with no URL."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them with private_file_response().")


_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    """The storage of every private file field (``storage=private_storage``)."""
    return _storage


def unguessable_name(folder: str, filename: str) -> str:
    """``folder/<stem>-<random token><suffix>``: the readable part is kept
    for the people who download it, the token makes the name unguessable."""
    path = PurePosixPath(filename)
    stem = path.stem[:60] or "file"
    return f"{folder}/{stem}-{secrets.token_urlsafe(TOKEN_BYTES)}{path.suffix}"


#: How long a shared cache may keep a file anyone may see (a published
#: photo): also how long it may outlive its unpublishing there.
PUBLIC_MAX_AGE = 300


def private_file_response(
    file,
    *,
    filename: str,
    content_type: str,
    as_attachment: bool = True,
    public: bool = False,
    fallback: str = "download",
) -> HttpResponse:
    """Send a private file **after** the caller has checked the permission.

    ``file`` is a ``FieldFile`` in the private storage. 404 when the file is
    missing on disk. ``as_attachment=False`` shows it in the page (a photo);
    ``public=True`` (the caller found that anyone may see it) lets caches
    keep it for ``PUBLIC_MAX_AGE`` seconds, else nothing keeps it."""
    if not file or not file.storage.exists(file.name):
        raise Http404
    prefix = getattr(settings, "PRIVATE_MEDIA_ACCEL_PREFIX", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(file.name)
    else:
        response = FileResponse(file.open("rb"), content_type=content_type)
    # With an ASCII name for old clients beside the Korean one (RFC 6266).
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback, inline=not as_attachment)
    response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}" if public else "private, no-store"
    return response
