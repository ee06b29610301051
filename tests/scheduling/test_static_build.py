"""The front end's weight: a public page ships only the KRDS rules it can
use (scripts/build_static.py, `make assets`), at most 80 KB of stylesheets,
and the purge never takes a rule a page needs.

The pages are those the HTML validity test renders over the demo city
(tests/test_html_valid.py), as a citizen and as staff.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from fontTools.ttLib import TTFont

from tests import test_html_valid
from tests.e2e.conftest import skip_or_fail

pytestmark = pytest.mark.django_db

#: The demo city and the pages the HTML validity test renders.
demo_city = test_html_valid.demo_city
_pages = test_html_valid._pages

#: Uncompressed bytes of stylesheets one public page may load.
BUDGET = 80 * 1024
SHEETS = Path("krds/css/component")
PUBLIC_SHEET = f"{SHEETS}/tongtong-public.css"
STAFF_SHEET = f"{SHEETS}/tongtong-staff.css"
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
CLASS_ATTRIBUTE = re.compile(r'\bclass="([^"]*)"')
#: A class selector (".krds-btn"), not a number (".5rem") or a file (".svg)").
CLASS_SELECTOR = re.compile(r"\.(-?[A-Za-z_][\w-]*)")


@pytest.fixture(autouse=True)
def _built():
    if not settings.KRDS_DIR.is_dir():
        skip_or_fail("KRDS (node_modules) is not installed; make test installs it")
    if finders.find(PUBLIC_SHEET) is None:
        skip_or_fail("build/static/ has no built stylesheet: run `make assets` (part of make setup and make test)")


def _read(static_path: str) -> str:
    found = finders.find(static_path)
    assert found, f"{static_path} is not among the static files"
    return Path(found).read_text(encoding="utf-8")


def _selectors(css: str) -> set[tuple[str, ...]]:
    """The class names of each selector, sorted (".krds-btn.primary:hover"
    gives krds-btn and primary; ".form-conts .krds-input" form-conts and
    krds-input; "#krds-footer li" none)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"url\([^)]*\)|\"[^\"]*\"|'[^']*'", "", css)
    found = set()
    for group in re.findall(r"([^{};]+)\{", css):
        if group.lstrip().startswith("@"):
            continue
        for selector in group.split(","):
            names = tuple(sorted(set(CLASS_SELECTOR.findall(selector))))
            if names:
                found.add(names)
    return found


def _krds_whole() -> str:
    return _read("krds/css/token/krds_tokens.css") + _read("krds/css/component/output.css")


def _rendered(client, city):
    for username, url in _pages(city):
        client.logout()
        if username:
            client.force_login(city["users"][username])
        if url in test_html_valid.PREPARE:  # the code page needs a form sent first
            test_html_valid.PREPARE[url](client, city)
        response = client.get(url)
        assert response.status_code in {200, 404}, (username, url, response.status_code)
        yield username, url, response.content.decode()


def _sheets_of(html: str) -> list[str]:
    return [href.removeprefix("/" + settings.STATIC_URL.lstrip("/")) for href in STYLESHEET.findall(html)]


def test_a_public_page_loads_at_most_80_kb_of_stylesheets(client, demo_city):
    checked = 0
    for username, url, html in _rendered(client, demo_city):
        if username:
            continue
        sheets = _sheets_of(html)
        assert PUBLIC_SHEET in sheets, (url, sheets)
        sizes = {sheet: len(_read(sheet).encode()) for sheet in sheets}
        # No @import: what a page links is all it loads.
        assert not [sheet for sheet in sheets if "@import" in _read(sheet)], url
        assert sum(sizes.values()) <= BUDGET, f"{url}: {sum(sizes.values())} bytes of stylesheets, {sizes}"
        checked += 1
    assert checked >= 10


def test_staff_pages_load_the_back_office_sheet(client, demo_city):
    for username, url, html in _rendered(client, demo_city):
        sheets = _sheets_of(html)
        if username and url != "/staff/login/":
            assert STAFF_SHEET in sheets and PUBLIC_SHEET not in sheets, (username, url, sheets)


def test_every_krds_class_a_page_uses_keeps_its_rules(client, demo_city):
    """Each KRDS selector whose class names are all on a rendered page
    (templates, form widgets, status badges chosen in Python) is in the
    page's sheet."""
    krds = _selectors(_krds_whole())
    kept = {PUBLIC_SHEET: _selectors(_read(PUBLIC_SHEET)), STAFF_SHEET: _selectors(_read(STAFF_SHEET))}
    missing = set()
    checked = 0
    for username, url, html in _rendered(client, demo_city):
        sheet = next(s for s in _sheets_of(html) if s in kept)
        used = {name for value in CLASS_ATTRIBUTE.findall(html) for name in value.split()}
        needed = {names for names in krds if set(names) <= used}
        missing |= {(url, username, ".".join(names)) for names in needed - kept[sheet]}
        checked += len(needed)
    assert not missing, sorted(missing)
    assert checked > 100


@pytest.mark.parametrize(
    "selector",
    [
        "#krds-skip-link",
        "#krds-masthead",
        "#krds-header",
        "#krds-footer",
        ".krds-identifier",
        ".krds-btn.primary",
        ".krds-btn.secondary",
        ".krds-btn.tertiary",
        ".krds-btn.text",
        ".krds-btn.xlarge",
        ".krds-input",
        ".krds-form-select",
        ".krds-form-check",
        ".krds-check-area",
        ".form-group",
        ".krds-table-wrap",
        ".krds-badge",
    ],
)
def test_the_public_sheet_keeps_the_rules_the_layout_and_forms_need(selector):
    assert selector in _read(PUBLIC_SHEET)


def test_the_purge_leaves_out_what_no_page_uses():
    public = _read(PUBLIC_SHEET)
    whole = _krds_whole()
    for unused in (".krds-calendar", ".krds-modal", ".krds-accordion", ".krds-tab-area"):
        assert unused in whole and unused not in public, unused
    assert len(public.encode()) < len(whole.encode()) / 5


def test_the_cut_fonts_write_every_korean_translation():
    translations = (settings.BASE_DIR / "locale" / "ko" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    korean = {ord(c) for c in translations if 0xAC00 <= ord(c) <= 0xD7A3}
    assert len(korean) > 300
    for weight in ("Regular", "Bold"):
        path = finders.find(f"krds/fonts/PretendardGOV-{weight}.tongtong.woff2")
        assert path, weight
        assert Path(path).stat().st_size < 100 * 1024, weight
        covered = set(TTFont(path).getBestCmap())
        assert korean <= covered, (weight, "".join(sorted(chr(c) for c in korean - covered)))
        assert set(range(0x20, 0x7F)) <= covered, weight
