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
``keep_korean_words`` puts a word joiner (U+2060, ``WORD_JOINER``) between
the characters of every short word holding Hangul before the layout: lines
then break between words only, as on the page. A joiner is drawn as nothing
and is not in the text a reader copies. A long word (over
``KEEP_WORD_MAX`` characters) may still break, so it never runs out of its
cell. (It used to wrap each word in a ``white-space: nowrap`` span: 4,000
more inline boxes on a card of 50 suggestions, about a third of its time,
and it cut character references such as ``&quot;`` in two.)

Accessibility: every PDF is written as WeasyPrint's ``pdf/ua-1`` variant
(PDF 1.7, tagged: a structure tree of headings, paragraphs, tables and their
header cells for screen readers, the document's language from ``<html
lang>``, its title from ``<title>`` shown instead of the file name, and the
PDF/UA identification in the XMP metadata). ``pdf/base.html`` sets both.

Speed (bench/pdfs.py; figures in bench/README.md): the time is WeasyPrint's
styling, layout and drawing, in proportion to the boxes of a document; the
fonts are a small part. WeasyPrint's own user-agent stylesheet gives *every*
element a ``::marker`` and five footnote and note pseudo-elements, each with
a computed style (six per element: most of the styling time of a long card);
ours, made once per process, gives markers to list items only and leaves CSS
footnotes (``float: footnote``) and notes out, which no template uses.

Two changes to pydyf (WeasyPrint's PDF writer). Streams are compressed at
zlib level 6 (``COMPRESSION_LEVEL``) instead of 9: the embedded fonts keep
their glyph numbers, so a subset is a stream of about 770 KB, and level 9
took 60 ms a card for files 1 % smaller. And ``PDF.page_references``
rebuilds the tuple of every page's reference each time it is read, and
tagging reads it once per structure element, so a tagged file cost pages ×
elements (the 351-page all-cards file: about 9 s more); ``_page_references``
keeps the tuple until a page is added.

``render_pdf`` is the usual entry point; ``render_document`` and
``join_documents`` let a batch lay out many documents one by one (counting
progress) and write them as one file.
"""

from __future__ import annotations

import copy
import logging
import posixpath
import re
import zlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pydyf
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils._os import safe_join
from weasyprint import CSS, HTML, Document
from weasyprint.css.counters import CounterStyle
from weasyprint.urls import URLFetcher, URLFetcherResponse

from scheduling.dates import local_when
from scheduling.http import content_disposition

logger = logging.getLogger(__name__)

#: The document's base URL: relative references and ``{% static %}`` paths
#: resolve under it. ``.invalid`` is reserved (RFC 2606) and never resolves.
INTERNAL_BASE_URL = "https://tongtong.invalid/"

#: WeasyPrint's PDF variant for every file: PDF/UA-1, tagged for screen readers.
PDF_VARIANT = "pdf/ua-1"

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
#: U+2060 WORD JOINER: no line break on either side, drawn as nothing, and
#: left out of the text a reader copies (pdftotext prints the word whole).
WORD_JOINER = "\u2060"
_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_RAW_ELEMENTS = re.compile(r"<(/?)(style|script|svg|title|textarea)\b", re.IGNORECASE)
#: A character reference (``&quot;``, ``&#x27;``): never cut into.
_ENTITY = re.compile(r"(&#?\w+;)")
_KOREAN_WORD = re.compile(r"[^\s<>&]*[\uac00-\ud7a3][^\s<>&]*")
#: Characters between which a joiner goes: ASCII and Latin-1 letters, digits
#: and punctuation, general and CJK punctuation, Hangul syllables and
#: compatibility jamo, CJK ideographs and full-width forms. Not marks,
#: format characters, conjoining jamo or emoji, whose sequences a joiner
#: would cut.
_JOINABLE = (
    "!-~\u00a1-\u00ac\u00ae-\u00ff"  # ASCII, Latin-1 (no soft hyphen)
    "\u2010-\u2027\u2030-\u205e\u3001-\u303f"  # punctuation (no bidi controls)
    "\u3131-\u318e\u4e00-\u9fff\uac00-\ud7a3\uff01-\uff60"  # jamo, ideographs, syllables, full width
)
_JOIN_AT = re.compile(f"(?<=[{_JOINABLE}])(?=[{_JOINABLE}])")


def _keep_word(match: re.Match) -> str:
    word = match.group()
    return _JOIN_AT.sub(WORD_JOINER, word) if len(word) <= KEEP_WORD_MAX else word


def keep_korean_words(html: str) -> str:
    """``html`` with a word joiner (``WORD_JOINER``) between the characters
    of each short word holding Hangul (see the module's docstring), outside
    tags, character references and ``<style>``, ``<script>``, ``<svg>``,
    ``<title>`` and ``<textarea>``."""
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
            for piece in _ENTITY.split(part):
                out.append(piece if piece.startswith("&") else _KOREAN_WORD.sub(_keep_word, piece))
    return "".join(out)


def _page_references(self) -> tuple[bytes, ...]:
    """pydyf's ``PDF.page_references`` ("12 0 R" for each page, in order),
    made once per page count instead of at every read (see the module's
    docstring). Pages are only ever appended (``PDF.add_page``), so the
    count says whether the tuple is still right."""
    kids = self.pages["Kids"]
    cached = self.__dict__.get("_tongtong_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        self.__dict__["_tongtong_page_references"] = cached
    return cached[1]


if isinstance(vars(pydyf.PDF).get("page_references"), property):
    _pydyf_page_references = pydyf.PDF.page_references
    pydyf.PDF.page_references = property(_page_references)


#: The zlib level of every compressed stream. pydyf asks for 9, which takes
#: three times as long as 6 on the embedded fonts for 1 % smaller files.
COMPRESSION_LEVEL = 6


class _Zlib:
    """The ``zlib`` pydyf sees: the same, with ``COMPRESSION_LEVEL`` as the
    highest level of a stream (see the module's docstring)."""

    compress = staticmethod(zlib.compress)

    @staticmethod
    def compressobj(level=-1, *args, **kwargs):
        return zlib.compressobj(min(level, COMPRESSION_LEVEL), *args, **kwargs)


if getattr(pydyf, "zlib", None) is zlib:
    pydyf.zlib = _Zlib


@cache
def _user_agent_stylesheet() -> CSS:
    """WeasyPrint's HTML user-agent stylesheet with ``::marker`` kept for
    list items only and the footnote and note pseudo-elements left out (see
    the module's docstring). Built once per process from the installed
    WeasyPrint's own file, so the rest of it follows upgrades."""
    from weasyprint import html as weasyprint_html

    sheet, markers = re.subn(r"^::marker \{", "li::marker, summary::marker {", weasyprint_html.UA, flags=re.M)
    sheet, notes = re.subn(r"^::(?:footnote|note)-[a-z]+ \{[^}]*\}$", "", sheet, flags=re.M)
    if (markers, notes) != (1, 5):  # a WeasyPrint that changed its sheet: use it as it is
        logger.warning("WeasyPrint's user-agent stylesheet changed; PDFs use it unmodified (slower)")
        return weasyprint_html.UA_STYLESHEET
    # Its @counter-style rules are already in WeasyPrint's own counter styles,
    # which every document starts from; parse them into a spare set.
    return CSS(string=sheet, counter_style=CounterStyle())


class _DocumentHTML(HTML):
    """WeasyPrint's ``HTML`` with the lighter user-agent stylesheet."""

    def _ua_stylesheets(self, forms=False):
        sheets = super()._ua_stylesheets(forms=forms)
        return [_user_agent_stylesheet(), *sheets[1:]]


def html_document(html: str, *, fetcher: StaticOnlyURLFetcher | None = None) -> Document:
    """Lay out ``html`` (a full HTML page) into pages, Korean words kept whole."""
    fetcher = fetcher or StaticOnlyURLFetcher()
    html = keep_korean_words(html)
    return _DocumentHTML(string=html, base_url=INTERNAL_BASE_URL, url_fetcher=fetcher, media_type="print").render()


def write_pdf(document: Document) -> bytes:
    """The PDF of a laid-out document: tagged PDF/UA-1 (``PDF_VARIANT``),
    fonts subset and embedded."""
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def render_document(template_name: str, context: dict | None = None, *, request=None) -> Document:
    """Render a template and lay it out; ``join_documents`` writes several
    such documents as one file."""
    html = render_to_string(template_name, pdf_context(context), request=request)
    return html_document(html)


def join_documents(documents: Iterable[Document], *, title: str | None = None) -> bytes:
    """One PDF of several laid-out documents, in order; each keeps its own
    page numbers (a card reads "1 / 2" within the binder of all cards). The
    file takes the first document's metadata (language, author) with
    ``title`` as its title."""
    documents = list(documents)
    if not documents:
        raise ValueError("nothing to write")
    pages = [page for document in documents for page in document.pages]
    joined = documents[0].copy(pages)
    if title is not None:
        joined.metadata = copy.copy(joined.metadata)
        joined.metadata.title = title
    return write_pdf(joined)


def render_pdf(template_name: str, context: dict | None = None, *, request=None) -> bytes:
    """The PDF of a Django template (usually one extending ``pdf/base.html``)."""
    return write_pdf(render_document(template_name, context, request=request))


def pdf_response(data: bytes, *, filename: str, fallback: str = "document", inline: bool = True) -> HttpResponse:
    """An ``application/pdf`` response; ``filename`` may be Korean, with
    ``fallback`` as the ASCII name for old clients (RFC 6266)."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    return response
