"""Download names (scheduling/http.py content_disposition): RFC 6266, a
Korean name for browsers and an ASCII one for the rest."""

from urllib.parse import unquote

import pytest

from scheduling.http import ascii_filename, content_disposition


@pytest.mark.parametrize(
    ("name", "fallback", "expected"),
    [
        ("2026년 10월 월간 보고.pdf", "tongtong-monthly-report-2026-10", "tongtong-monthly-report-2026-10.pdf"),
        ("Monthly report October 2026.xlsx", "x", "Monthly-report-October-2026.xlsx"),
        ("중앙동 관리카드 20261203.pdf", "card-N01-20261203", "card-N01-20261203.pdf"),
        ('a"b\\c;d.pdf', "x", "a-b-c-d.pdf"),
        ("보고서", "report", "report"),
    ],
)
def test_the_ascii_name(name, fallback, expected):
    assert ascii_filename(name, fallback=fallback) == expected


def test_a_korean_name_is_sent_twice():
    header = content_disposition("2026년 10월 월간 보고.pdf", fallback="tongtong-monthly-report-2026-10")
    plain, encoded = header.split("; filename*=UTF-8''")
    assert plain == 'attachment; filename="tongtong-monthly-report-2026-10.pdf"'
    assert unquote(encoded) == "2026년 10월 월간 보고.pdf"
    assert all(32 < ord(c) < 127 for c in encoded)


def test_an_ascii_name_is_sent_once_and_inline_when_asked():
    assert content_disposition("report.csv") == 'attachment; filename="report.csv"'
    assert content_disposition("card.pdf", inline=True) == 'inline; filename="card.pdf"'
