"""scheduling/pdf.py: every PDF goes through it. Korean text that a
machine can extract, fonts embedded, and a renderer that reaches nothing but
the project's own static files, whatever HTML ends up in the template.

The PDFs are read back with poppler's command-line tools (``pdftotext``,
``pdffonts``, ``pdfimages``; Debian poppler-utils, installed by
scripts/ensure-system-packages.sh), as a person checking a file would.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

from scheduling import pdf

# A 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


# --- Reading a PDF back (shared with tests/visits/cards/test_pdf.py) -------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is missing: run scripts/ensure-system-packages.sh (Debian poppler-utils)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _run(tool: str, data: bytes, *args: str) -> str:
    handle, name = tempfile.mkstemp(suffix=".pdf")
    os.close(handle)
    path = Path(name)
    path.write_bytes(data)
    try:
        if tool == "pdftotext":
            command = [_tool(tool), *args, str(path), "-"]
        else:
            command = [_tool(tool), *args, str(path)]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60).stdout
    finally:
        path.unlink(missing_ok=True)


def pdf_text(data: bytes) -> str:
    """The text a reader can copy out of the PDF."""
    return _run("pdftotext", data)


def pdf_fonts(data: bytes) -> list[dict]:
    """``pdffonts``' table: one dict per font with its name and emb(edded)."""
    lines = _run("pdffonts", data).splitlines()
    header, rule, rows = lines[0], lines[1], lines[2:]
    starts = [i for i, ch in enumerate(rule) if ch == "-" and (i == 0 or rule[i - 1] == " ")]
    names = [header[s : (starts[k + 1] if k + 1 < len(starts) else None)].strip() for k, s in enumerate(starts)]
    fonts = []
    for row in rows:
        cells = [row[s : (starts[k + 1] if k + 1 < len(starts) else None)].strip() for k, s in enumerate(starts)]
        fonts.append(dict(zip(names, cells, strict=True)))
    return fonts


def pdf_image_count(data: bytes) -> int:
    """How many images the PDF shows (``pdfimages -list``; an image's alpha
    mask is listed apart, as type "smask", and not counted)."""
    rows = [line.split() for line in _run("pdfimages", data, "-list").splitlines()[2:]]
    return sum(1 for row in rows if row[2] == "image")


def page_count(data: bytes) -> int:
    for line in _run("pdfinfo", data).splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError("pdfinfo printed no page count")


def pdf_info(data: bytes) -> dict[str, str]:
    """``pdfinfo``'s fields (Title, Tagged, PDF version, …)."""
    lines = _run("pdfinfo", data).splitlines()
    return {key.strip(): value.strip() for key, value in (line.split(":", 1) for line in lines if ":" in line)}


def pdf_structure(data: bytes) -> str:
    """The tag tree a screen reader walks (``pdfinfo -struct``)."""
    return _run("pdfinfo", data, "-struct")


def pdf_language(data: bytes) -> str | None:
    """The document's language (the catalog's ``/Lang``), looked for in the
    file and in its compressed streams (pdfinfo does not print it)."""
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            chunks.append(zlib.decompressobj().decompress(data[match.end() :]))
        except zlib.error:
            continue
    found = re.search(rb"/Lang\s*\(([^)]*)\)", b"".join(chunks))
    return found.group(1).decode() if found else None


def assert_tagged(data: bytes, *, title: str, language: str = "ko") -> None:
    """A PDF a screen reader can read: tagged (PDF/UA-1), with its title and
    language."""
    info = pdf_info(data)
    assert info["Tagged"] == "yes", info
    assert info["Title"] == title, info
    assert pdf_language(data) == language
    assert 'pdfuaid:part="1"' in _run("pdfinfo", data, "-meta")


def assert_fonts_embedded(data: bytes) -> None:
    fonts = pdf_fonts(data)
    assert fonts, "the PDF uses no font at all"
    assert all(font["emb"] == "yes" for font in fonts), fonts
    assert any("CJK-KR" in font["name"] for font in fonts), fonts


# --- Fixtures -----------------------------------------------------------------


@pytest.fixture
def template_dir(tmp_path, settings):
    """A directory of templates for this test only, searched first."""
    directory = tmp_path / "templates"
    directory.mkdir()
    engine = {**settings.TEMPLATES[0], "DIRS": [directory, *settings.TEMPLATES[0]["DIRS"]]}
    settings.TEMPLATES = [engine]
    return directory


@pytest.fixture
def static_dir(tmp_path, settings):
    """Extra static files (a stylesheet and a PNG) the PDFs may use."""
    directory = tmp_path / "static"
    (directory / "pdftest").mkdir(parents=True)
    (directory / "pdftest" / "dot.png").write_bytes(PNG)
    (directory / "pdftest" / "extra.css").write_text('h1::after { content: " STATICCSSAPPLIED"; }')
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, str(directory)]
    return directory


@pytest.fixture
def canary_files(tmp_path):
    """Files outside the static files that a hostile document would like
    to pull in: a stylesheet whose text would show, and an image."""
    secret_css = tmp_path / "secret.css"
    secret_css.write_text('body::before { content: "CANARYLEAKED"; }')
    secret_png = tmp_path / "secret.png"
    secret_png.write_bytes(PNG)
    return {"css": secret_css.as_uri(), "png": secret_png.as_uri()}


def _hostile_template(template_dir, body: str) -> str:
    (template_dir / "hostile.html").write_text(
        '{% extends "pdf/base.html" %}{% block title %}시험 문서{% endblock %}'
        "{% block content %}<h1>건의사항 시험</h1>" + body + "{% endblock %}"
    )
    return "hostile.html"


# --- Korean text and fonts ------------------------------------------------------------


def test_a_pdf_has_extractable_korean_text_and_only_embedded_fonts(template_dir, settings):
    settings.CITY_NAME = "통통시"
    (template_dir / "korean.html").write_text(
        '{% extends "pdf/base.html" %}{% block title %}동 관리카드{% endblock %}'
        "{% block running_title %}중앙동 관리카드{% endblock %}"
        "{% block content %}<h1>중앙동 관리카드</h1>"
        "<p>가로등 설치를 건의합니다. <strong>굵은 글씨</strong></p>{% endblock %}"
    )
    data = pdf.render_pdf("korean.html", {})

    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "중앙동 관리카드" in text
    assert "가로등 설치를 건의합니다." in text
    assert "통통시" in text  # the running header
    assert "1 / 1" in " ".join(text.split()).replace("1/1", "1 / 1")  # the page numbers
    assert_fonts_embedded(data)


def test_a_pdf_is_tagged_for_screen_readers_with_its_title_and_language(template_dir, settings):
    settings.CITY_NAME = "통통시"
    (template_dir / "tagged.html").write_text(
        '{% extends "pdf/base.html" %}{% block title %}중앙동 관리카드{% endblock %}'
        "{% block content %}<h1>중앙동 관리카드</h1><p>가로등 설치를 건의합니다.</p>"
        "<ul><li>첫째 건의</li><li>둘째 건의</li></ul>"
        '<table><thead><tr><th scope="col">상태</th><th scope="col">부서</th></tr></thead>'
        "<tbody><tr><td>접수</td><td>도로과</td></tr></tbody></table>{% endblock %}"
    )
    data = pdf.render_pdf("tagged.html", {})

    assert_tagged(data, title="중앙동 관리카드 | 통통시")
    structure = pdf_structure(data)
    for tag in ("Document", "H1", "P", "L", "LI", "Lbl", "Table", "TH", "TD"):
        assert re.search(rf"^\s*{tag}\b", structure, re.M), (tag, structure)
    # The lighter user-agent stylesheet keeps list items' markers.
    text = pdf_text(data)
    assert "• 첫째 건의" in text
    assert "가로등 설치를 건의합니다." in text
    assert_fonts_embedded(data)


def test_the_pdf_language_follows_the_active_language(template_dir, settings):
    from django.utils import translation

    settings.CITY_NAME = "Example City"
    (template_dir / "english.html").write_text(
        '{% extends "pdf/base.html" %}{% block title %}Card{% endblock %}{% block content %}<p>본문</p>{% endblock %}'
    )
    with translation.override("en"):
        data = pdf.render_pdf("english.html", {})
    assert_tagged(data, title="Card | Example City", language="en")


def test_joined_documents_are_one_tagged_file_with_their_own_title(template_dir, settings):
    settings.CITY_NAME = "통통시"
    (template_dir / "part.html").write_text(
        '{% extends "pdf/base.html" %}{% block title %}{{ name }}{% endblock %}'
        "{% block content %}<h1>{{ name }}</h1>{% endblock %}"
    )
    documents = [pdf.render_document("part.html", {"name": name}) for name in ("중앙동", "송림동")]
    data = pdf.join_documents(documents, title="전체 동 관리카드 | 통통시")

    assert_tagged(data, title="전체 동 관리카드 | 통통시")
    assert page_count(data) == 2
    assert pdf_structure(data).count("H1") == 2
    # The first document keeps its own title.
    assert pdf_info(pdf.write_pdf(documents[0]))["Title"] == "중앙동 | 통통시"


def test_page_references_are_kept_until_a_page_is_added():
    """The pydyf fix in scheduling/pdf.py: the same references as pydyf's
    own property, made again only when a page is added."""
    import pydyf

    document = pydyf.PDF()
    for _ in range(3):
        document.add_page(pydyf.Dictionary({"Type": "/Page"}))
    first = document.page_references
    assert first == pdf._pydyf_page_references.fget(document)
    assert document.page_references is first  # not rebuilt at every read
    document.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert len(document.page_references) == 4
    assert document.page_references == pdf._pydyf_page_references.fget(document)


def test_css_footnotes_are_not_used_in_pdfs():
    """The lighter user-agent stylesheet leaves CSS footnotes out (see
    scheduling/pdf.py); a template that starts using them must bring the
    footnote rules back."""
    templates = Path(__file__).resolve().parents[2] / "templates"
    pdf_templates = [path for path in templates.rglob("*.html") if "pdf" in path.name or path.parent.name == "pdf"]
    assert len(pdf_templates) >= 5  # the base, the card and its part, the briefing, the report
    for path in pdf_templates:
        text = path.read_text()
        assert "footnote" not in text and "note()" not in text, path


def test_a_long_document_numbers_its_a4_pages(template_dir):
    (template_dir / "long.html").write_text(
        '{% extends "pdf/base.html" %}{% block content %}'
        "{% for i in rows %}<p>{{ i }}번째 줄: 동방문에서 들은 건의사항</p>{% endfor %}{% endblock %}"
    )
    data = pdf.render_pdf("long.html", {"rows": range(200)})

    pages = page_count(data)
    assert pages > 1
    assert f"{pages} / {pages}" in pdf_text(data).replace(f"{pages}/{pages}", f"{pages} / {pages}")
    info = _run("pdfinfo", data)
    assert "595.276 x 841.89 pts (A4)" in info


# --- Only the project's static files ----------------------------------------------------


def test_the_fetcher_refuses_everything_but_static_files(template_dir, canary_files, caplog):
    hostile = f"""
      <img src="file:///etc/passwd" alt="">
      <img src="{canary_files["png"]}" alt="">
      <img src="http://example.com/x.png" alt="">
      <img src="https://example.com/x.png" alt="">
      <img src="data:image/png;base64,{base64.b64encode(PNG).decode()}" alt="">
      <img src="../../../../etc/passwd" alt="">
      <img src="/static/../../etc/passwd.png" alt="">
      <img src="https://tongtong.invalid/static/%2e%2e/%2e%2e/etc/passwd.png" alt="">
      <div style="background: url(file:///etc/passwd)">배경</div>
      <div style="background-image: url('{canary_files["png"]}')">배경</div>
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel="stylesheet" href="{canary_files["css"]}">
      <style>@import url("{canary_files["css"]}");</style>
      <object data="{canary_files["png"]}" type="image/png"></object>
      <svg width="10" height="10"><image href="{canary_files["png"]}" width="10" height="10"/></svg>
    """
    name = _hostile_template(template_dir, "{{ hostile|safe }}")

    with caplog.at_level(logging.WARNING, logger="scheduling.pdf"):
        data = pdf.render_pdf(name, {"hostile": hostile})

    refused = [r.getMessage() for r in caplog.records if r.name == "scheduling.pdf"]
    for url in (
        "file:///etc/passwd",
        canary_files["png"],
        canary_files["css"],
        "http://example.com/x.png",
        "https://example.com/x.png",
        "data:image/png",
        "https://tongtong.invalid/etc/passwd",
        "https://tongtong.invalid/static/%2e%2e/%2e%2e/etc/passwd.png",
    ):
        assert any(url in message for message in refused), (url, refused)
    text = pdf_text(data)
    assert "건의사항 시험" in text
    assert "root:" not in text
    assert "CANARYLEAKED" not in text
    assert pdf_image_count(data) == 0


def test_citizen_markup_in_a_template_is_text_not_html(template_dir, canary_files, caplog):
    """Autoescaping first: a suggestion's text is printed, never parsed."""
    name = _hostile_template(template_dir, "<p>{{ title }}</p>")
    title = f'<img src="{canary_files["png"]}"><link rel="stylesheet" href="{canary_files["css"]}">'

    with caplog.at_level(logging.WARNING, logger="scheduling.pdf"):
        data = pdf.render_pdf(name, {"title": title})

    assert not [r for r in caplog.records if r.name == "scheduling.pdf"]  # nothing was even asked for
    assert pdf_image_count(data) == 0
    assert "<img src=" in pdf_text(data)


def test_static_files_are_allowed(template_dir, static_dir, caplog):
    (template_dir / "static.html").write_text(
        '{% extends "pdf/base.html" %}{% load static %}'
        '{% block content %}<link rel="stylesheet" href="{% static \'pdftest/extra.css\' %}">'
        '<h1>정적 파일</h1><img src="{% static \'pdftest/dot.png\' %}" alt="점" style="width:5mm">{% endblock %}'
    )
    with caplog.at_level(logging.WARNING, logger="scheduling.pdf"):
        data = pdf.render_pdf("static.html", {})

    assert not [r for r in caplog.records if r.name == "scheduling.pdf"]
    assert "STATICCSSAPPLIED" in pdf_text(data)
    assert pdf_image_count(data) == 1


def test_the_fetcher_serves_static_files_from_disk_and_nothing_else(static_dir):
    fetcher = pdf.StaticOnlyURLFetcher()
    base = pdf.static_base_url()
    assert base == "https://tongtong.invalid/static/"

    response = fetcher.fetch(base + "pdftest/dot.png")
    assert response.read() == PNG
    assert response.content_type == "image/png"
    assert fetcher.served == [base + "pdftest/dot.png"]

    for url in (
        "file:///etc/passwd",
        base + "pdftest/missing.png",
        base + "pdftest/../../../etc/passwd.css",
        base + "pdftest/%2e%2e/%2e%2e/secret.png",
        base + "pdftest/dot.png/..%2f..%2fx.css",
        base + "..%5c..%5cwin.ini.css",
        base + "/etc/passwd.css",
        base + "pdftest/dot.exe",
        "https://tongtong.invalid/media/suggestions/1/photo.jpg",
        "https://tongtong.invalid.example.com/static/pdftest/dot.png",
        "http://tongtong.invalid/static/pdftest/dot.png",
        "data:text/css,body{}",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 12


def test_render_pdf_uses_the_active_language_and_city(template_dir, settings):
    from django.utils import translation

    settings.CITY_NAME = "예시시"
    (template_dir / "plain.html").write_text(
        '{% extends "pdf/base.html" %}{% block content %}<p>본문</p>{% endblock %}'
    )
    with translation.override("en"):
        text = pdf_text(pdf.render_pdf("plain.html", {}))
    assert "예시시" in text
    assert "Printed" in text


def test_korean_words_are_joined_to_stay_whole_outside_tags_styles_and_charts():
    from scheduling.pdf import WORD_JOINER as J
    from scheduling.pdf import keep_korean_words

    html = (
        '<html><head><title>동 관리카드</title><style>.a { content: "가나" }</style></head><body>'
        '<th class="pdf-num">진행 단계</th><td>FY 2026 · 3,000,000원 · 주민숙원사업비</td>'
        "<svg><text>1월 가나</text></svg><p>A&amp;B 가나다라마바사아자차카타파하 &quot;가로등&quot;</p></body></html>"
    )
    out = keep_korean_words(html)
    assert f'<th class="pdf-num">진{J}행 단{J}계</th>' in out
    assert f"3{J},{J}0{J}0{J}0{J},{J}0{J}0{J}0{J}원 · 주{J}민{J}숙{J}원{J}사{J}업{J}비</td>" in out
    assert "<title>동 관리카드</title>" in out and 'content: "가나"' in out
    assert "<svg><text>1월 가나</text></svg>" in out
    # A word too long for any cell may still break, rather than run out of it.
    assert "A&amp;B 가나다라마바사아자차카타파하 " in out
    # Character references stay whole (the quotes print as quotes).
    assert f"&quot;가{J}로{J}등&quot;</p>" in out


def test_joined_words_print_and_copy_as_they_were_written(template_dir):
    """The joiners are invisible: the text a reader copies has none, and
    quotes around a word print as quotes."""
    (template_dir / "quoted.html").write_text(
        '{% extends "pdf/base.html" %}{% block content %}<p>{{ title }}</p>{% endblock %}'
    )
    text = pdf_text(pdf.render_pdf("quoted.html", {"title": '"가로등" 설치, 3,000,000원'}))
    assert '"가로등" 설치, 3,000,000원' in text
    assert "\u2060" not in text and "&quot;" not in text
