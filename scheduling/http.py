"""Serving pages and files over HTTP: the headers of a page whose address
holds a secret (:func:`private_page`), a download's name
(:func:`content_disposition`), and a calendar file with conditional GET.

:func:`private_page` keeps a page out of caches, search engines and Referer
headers: a citizen's status link, a resident's answer link. The Referrer
policy is ``strict-origin`` rather than ``no-referrer``: both keep the path,
and so the token, out of every Referer, but with ``no-referrer`` browsers
send ``Origin: null`` on a form POST, which Django's CSRF check refuses (the
language switcher and the cancel/move buttons would stop working on exactly
these pages). A 404 raised inside gets the same headers, so a wrong token
and a made-up one answer exactly alike.

:func:`calendar_response` answers with ``text/calendar; charset=utf-8``,
an ``ETag`` and a ``Last-Modified``, and with ``304 Not Modified`` and no
body when the request's ``If-None-Match`` (or, without one,
``If-Modified-Since``) shows the client already has it.

Given a :class:`~scheduling.ical.Feed`, the ETag comes from the feed's
block keys, so a 304 is answered without rendering the calendar at all;
given bytes, it is a hash of the body.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from functools import wraps
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.views.defaults import page_not_found

from scheduling.ical import Feed, RenderedFeed

CONTENT_TYPE = "text/calendar; charset=utf-8"
MAX_AGE = 300

_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")

#: No path (so no token) in any Referer, yet a real Origin on POSTs.
REFERRER_POLICY = "strict-origin"
#: The headers of every page whose address holds a secret.
PRIVATE_HEADERS = {
    "Cache-Control": "no-store, private",
    "Referrer-Policy": REFERRER_POLICY,
    "X-Robots-Tag": "noindex, nofollow",
}


def private_page(view):
    """No cache, no index, no Referer: for every page whose URL holds a
    secret. A 404 gets the same headers (see the module's note)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404 as exception:
            response = page_not_found(request, exception)
        for header, value in PRIVATE_HEADERS.items():
            response[header] = value
        return response

    return wrapped


def ascii_filename(filename: str, *, fallback: str = "download") -> str:
    """An ASCII name for clients that cannot read ``filename*``: the Latin
    letters, digits, dots and hyphens of ``filename`` (Hangul dropped), or
    ``fallback`` with the same extension when nothing readable is left."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    plain = _UNSAFE_ASCII.sub("-", plain).strip("-.")
    if not re.search(r"[A-Za-z]", plain):
        plain = fallback
    extension = _UNSAFE_ASCII.sub("", extension)
    return f"{plain}.{extension}" if extension else plain


def content_disposition(filename: str, *, fallback: str = "download", inline: bool = False) -> str:
    """``attachment; filename="monthly-report-2026-10.pdf";
    filename*=UTF-8''2026%EB%85%84…`` (RFC 6266): browsers save the Korean
    name, older clients the ASCII one. Django's ``content_disposition_header``
    sends only ``filename*`` for a non-ASCII name, which leaves those clients
    with no name at all."""
    kind = "inline" if inline else "attachment"
    plain = ascii_filename(filename, fallback=fallback)
    if filename == plain:
        return f'{kind}; filename="{plain}"'
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def body_etag(body: bytes) -> str:
    """A strong ETag for ``body``."""
    return quote_etag(hashlib.sha256(body).hexdigest()[:32])


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip() for t in header.split(",")]
    plain = etag.removeprefix("W/")
    return "*" in tags or any(t.removeprefix("W/") == plain for t in tags)


def calendar_response(
    request: HttpRequest,
    body: bytes | Feed | RenderedFeed,
    *,
    filename: str,
    last_modified: dt.datetime | None = None,
    disposition: str = "inline",
) -> HttpResponse:
    """The .ics ``body`` (bytes, a :class:`Feed` rendered only if the
    client needs it, or a feed rendered before) as a download named
    ``filename``, or a 304."""
    if isinstance(body, Feed | RenderedFeed):
        etag = quote_etag(body.etag)
        last_modified = last_modified or body.last_modified
    else:
        etag = body_etag(body)
    modified = int((last_modified or dt.datetime.now(dt.UTC)).timestamp())
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        not_modified = _etag_matches(if_none_match, etag)
    else:
        since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
        not_modified = since is not None and last_modified is not None and modified <= since
    if not_modified:
        response = HttpResponseNotModified()
    else:
        content = body.body if isinstance(body, Feed | RenderedFeed) else body
        response = HttpResponse(content, content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response
