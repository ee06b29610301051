"""Serving a calendar file over HTTP with conditional GET.

:func:`calendar_response` answers with ``text/calendar; charset=utf-8``,
an ``ETag`` (a hash of the body) and a ``Last-Modified``, and with ``304
Not Modified`` and no body when the request's ``If-None-Match`` (or,
without one, ``If-Modified-Since``) shows the client already has it.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe, quote_etag

CONTENT_TYPE = "text/calendar; charset=utf-8"
MAX_AGE = 300


def body_etag(body: bytes) -> str:
    """A strong ETag for ``body``."""
    return quote_etag(hashlib.sha256(body).hexdigest()[:32])


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip() for t in header.split(",")]
    plain = etag.removeprefix("W/")
    return "*" in tags or any(t.removeprefix("W/") == plain for t in tags)


def calendar_response(
    request: HttpRequest, body: bytes, *, filename: str, last_modified: dt.datetime | None = None
) -> HttpResponse:
    """The .ics ``body`` as an inline download named ``filename``, or a 304."""
    etag = body_etag(body)
    modified = int((last_modified or dt.datetime.now(dt.UTC)).timestamp())
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        not_modified = _etag_matches(if_none_match, etag)
    else:
        since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
        not_modified = since is not None and last_modified is not None and modified <= since
    response = HttpResponseNotModified() if not_modified else HttpResponse(body, content_type=CONTENT_TYPE)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    if not not_modified:
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
