"""Stored XSS is stopped by Django's autoescape (docs/security.md, threat
model). It holds only while no template switches it off for a value; this
test keeps it so: a new ``|safe`` or ``{% autoescape off %}`` must be argued
for here, not slipped in."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNESCAPING = re.compile(r"\|\s*safe\b|\{%\s*autoescape\s+off|\|\s*safeseq\b")

#: Python that builds markup itself, each escaping every text it inserts
#: (and tested for it). Nothing else may call ``mark_safe``.
MARKUP_BUILDERS = {"scheduling/reports/outputs.py"}  # the SVG charts: test_chart_text_is_escaped


def project_files(pattern):
    for app in ("scheduling", "meetings", "visits", "templates"):
        yield from (p for p in (ROOT / app).rglob(pattern) if "migrations" not in p.parts)


def test_no_template_turns_autoescape_off():
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in project_files("*.html")
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if UNESCAPING.search(line)
    ]
    assert offenders == []


def test_only_the_chart_builder_marks_markup_safe():
    users = {str(p.relative_to(ROOT)) for p in project_files("*.py") if "mark_safe(" in p.read_text(encoding="utf-8")}
    assert users <= MARKUP_BUILDERS
