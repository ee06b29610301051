"""Every PDF of the project, in one place: a Django template rendered to
HTML, then laid out by WeasyPrint (A4, Korean fonts embedded).

Safety: the documents hold citizen text (a suggestion's title and
description), so rendering must never reach outside the project. WeasyPrint
fetches every ``<img>``, ``<link>``, ``url(...)``, ``@import``, ``<object>``
and SVG reference through a *URL fetcher*; ours, ``StaticOnlyURLFetcher``,
answers only URLs under the project's own static files at a fixed internal
base (``https://tongtong.invalid/static/…``, a reserved domain that never
resolves) and serves them from disk (``django.contrib.staticfiles`` finders,
then ``STATIC_ROOT``). Everything else is refused without opening anything:
``file://``, ``http(s)://`` to any other host, ``data:`` (a citizen could
otherwise smuggle an image into a staff document), ``ftp:`` and so on. There
is no network access and hence no redirect to follow. Django's autoescaping
already turns citizen markup into text; the fetcher is the second wall, for
markup a template marks safe by mistake.

Fonts: "Noto Sans CJK KR" from the Debian package fonts-noto-cjk through
fontconfig (``scripts/ensure-system-packages.sh`` installs it); WeasyPrint
subsets and embeds every font it uses, so the PDF reads the same on a
machine without Korean fonts.

Korean words: a browser keeps them whole with ``word-break: keep-all``, but
WeasyPrint knows only ``normal`` and ``break-all`` and breaks Hangul between
any two syllables, so narrow table headers read "번/호" and "진행 단/계".
``keep_korean_words`` wraps every short word holding Hangul in a
``<span class="pdf-word">`` (``white-space: nowrap``) before the layout:
lines then break between words only, as on the page. A long word (over
``KEEP_WORD_MAX`` characters) may still break, so it never runs out of its
cell.

``render_pdf`` is the usual entry point; ``render_document`` and
``join_documents`` let a batch lay out many documents one by one (counting
progress) and write them as one file.
"""

from __future__ import annotations

import logging
import posixpath
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils._os import safe_join
from weasyprint import HTML, Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

from scheduling.dates import local_when
from scheduling.http import content_disposition

logger = logging.getLogger(__name__)

#: The document's base URL: relative references and ``{% static %}`` paths
#: resolve under it. ``.invalid`` is reserved (RFC 2606) and never resolves.
INTERNAL_BASE_URL = "https://tongtong.invalid/"

#: The kinds of static file a document may use, with the type sent to WeasyPrint.
ALLOWED_TYPES = {
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
}


def static_base_url() -> str:
    """Where the static files live for the renderer: ``STATIC_URL`` under
    the internal base (``https://tongtong.invalid/static/``)."""
    base = urljoin(INTERNAL_BASE_URL, settings.STATIC_URL or "/static/")
    return base if base.endswith("/") else base + "/"


class StaticOnlyURLFetcher(URLFetcher):
    """A URL fetcher that serves the project's static files and nothing else.

    ``served`` and ``refused`` list the URLs asked for, so a caller (and the
    tests) can see what a rendering tried to reach. A refusal raises
    ``ValueError``; WeasyPrint catches it, logs a warning and renders the
    document without the resource."""

    def __init__(self):
        # WeasyPrint's fetch() helper reads ``_fail_on_errors``.
        super().__init__(allowed_protocols=("https",), allow_redirects=False, fail_on_errors=False)
        self.prefix = static_base_url()
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        try:
            path = self._static_path(url)
        except ValueError as error:
            self.refused.append(url)
            logger.warning("PDF rendering refused to fetch %.200s: %s", url, error)
            raise
        self.served.append(url)
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": ALLOWED_TYPES[path.suffix.lower()]}
        )

    def _static_path(self, url: str) -> Path:
        if not url.startswith(self.prefix):
            raise ValueError("only the project's static files may be used in a PDF")
        parts = urlsplit(url)
        relative = unquote(parts.path[len(urlsplit(self.prefix).path) :])
        if not relative or "\\" in relative or "\x00" in relative or relative.startswith("/"):
            raise ValueError("not a static file name")
        if posixpath.normpath(relative) != relative or relative.split("/")[0] == "..":
            raise ValueError("not a static file name")
        suffix = posixpath.splitext(relative)[1].lower()
        if suffix not in ALLOWED_TYPES:
            raise ValueError("this kind of file is not used in PDFs")
        found = finders.find(relative)
        if not found and settings.STATIC_ROOT:
            try:
                candidate = safe_join(str(settings.STATIC_ROOT), relative)
            except Exception as error:  # SuspiciousFileOperation
                raise ValueError("not a static file name") from error
            found = candidate if Path(candidate).is_file() else None
        if not found:
            raise ValueError("no such static file")
        return Path(found)


def pdf_context(context: dict | None = None) -> dict:
    """What ``templates/pdf/base.html`` needs besides the document's own
    data: the city's name and the print date in the active language."""
    return {
        "city_name": settings.CITY_NAME,
        "printed_at": local_when(timezone.now()),
        **(context or {}),
    }


#: Words up to this many characters are kept whole (주민숙원사업비 has 7).
KEEP_WORD_MAX = 12
_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_RAW_ELEMENTS = re.compile(r"<(/?)(style|script|svg|title|textarea)\b", re.IGNORECASE)
_KOREAN_WORD = re.compile(r"[^\s<>&]*[\uac00-\ud7a3][^\s<>&]*")


def keep_korean_words(html: str) -> str:
    """``html`` with each short word holding Hangul wrapped in
    ``<span class="pdf-word">`` (see the module's docstring), outside tags
    and outside ``<style>``, ``<script>``, ``<svg>``, ``<title>`` and
    ``<textarea>``."""
    out: list[str] = []
    raw_depth = 0
    for part in _TAG.split(html):
        if part.startswith("<"):
            opening = _RAW_ELEMENTS.match(part)
            if opening and not part.endswith("/>"):
                raw_depth += -1 if opening.group(1) else 1
                raw_depth = max(raw_depth, 0)
            out.append(part)
        elif raw_depth or not part.strip():
            out.append(part)
        else:
            out.append(
                _KOREAN_WORD.sub(
                    lambda m: (
                        f'<span class="pdf-word">{m.group()}</span>' if len(m.group()) <= KEEP_WORD_MAX else m.group()
                    ),
                    part,
                )
            )
    return "".join(out)


def html_document(html: str, *, fetcher: StaticOnlyURLFetcher | None = None) -> Document:
    """Lay out ``html`` (a full HTML page) into pages, Korean words kept whole."""
    fetcher = fetcher or StaticOnlyURLFetcher()
    html = keep_korean_words(html)
    return HTML(string=html, base_url=INTERNAL_BASE_URL, url_fetcher=fetcher, media_type="print").render()


def render_document(template_name: str, context: dict | None = None, *, request=None) -> Document:
    """Render a template and lay it out; ``join_documents`` writes several
    such documents as one file."""
    html = render_to_string(template_name, pdf_context(context), request=request)
    return html_document(html)


def join_documents(documents: Iterable[Document]) -> bytes:
    """One PDF of several laid-out documents, in order; each keeps its own
    page numbers (a card reads "1 / 2" within the binder of all cards)."""
    documents = list(documents)
    if not documents:
        raise ValueError("nothing to write")
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def render_pdf(template_name: str, context: dict | None = None, *, request=None) -> bytes:
    """The PDF of a Django template (usually one extending ``pdf/base.html``)."""
    return render_document(template_name, context, request=request).write_pdf()


def pdf_response(data: bytes, *, filename: str, fallback: str = "document", inline: bool = True) -> HttpResponse:
    """An ``application/pdf`` response; ``filename`` may be Korean, with
    ``fallback`` as the ASCII name for old clients (RFC 6266)."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    return response
