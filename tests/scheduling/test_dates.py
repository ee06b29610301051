"""scheduling.dates and its template filters (scheduling.templatetags.formatting):
the value of ``<time datetime="…">`` is valid HTML (at most three fractional
digits), and pages write dates, sums and contacts as the code does."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.template import engines

from scheduling.dates import html_datetime

SEOUL = ZoneInfo("Asia/Seoul")


def test_a_moment_has_whole_seconds_in_seoul_time():
    moment = dt.datetime(2026, 12, 3, 7, 25, 0, 752979, tzinfo=dt.UTC)
    assert html_datetime(moment) == "2026-12-03T16:25:00+09:00"


def test_a_date_is_a_date_and_nothing_is_empty():
    assert html_datetime(dt.date(2026, 12, 10)) == "2026-12-10"
    assert html_datetime(None) == ""


def test_every_template_has_the_filter_without_loading_it():
    template = engines["django"].from_string('<time datetime="{{ at|html_datetime }}">x</time>')
    html = template.render({"at": dt.datetime(2026, 12, 10, 14, 0, 0, 123456, tzinfo=SEOUL)})
    assert html == '<time datetime="2026-12-10T14:00:00+09:00">x</time>'


# --- One set of formatting functions and filters -------------------------------------


def _render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_pages_write_dates_money_and_contacts_with_the_same_filters_as_the_code():
    from django.utils import translation

    from scheduling.dates import local_date, local_when, won

    moment = dt.datetime(2026, 12, 10, 5, 0, tzinfo=dt.UTC)  # 14:00 in Seoul
    html = _render(
        "{{ at|when }} / {{ at|kdate }} / {{ amount|won }} / {{ none|won }} / {{ none|won:'' }}. / {{ phone|masked }}",
        at=moment,
        amount=3000000,
        none=None,
        phone="010-1234-5678",
    )
    assert html == "2026. 12. 10.(목) 14:00 / 2026. 12. 10.(목) / 3,000,000원 / - / . / 010-****-5678"
    assert (local_when(moment), local_date(moment), won(3000000)) == (
        "2026. 12. 10.(목) 14:00",
        "2026. 12. 10.(목)",
        "3,000,000원",
    )
    with translation.override("en"):
        assert _render("{{ at|when }} / {{ at|kdate }}", at=moment) == "Thu 10 Dec 2026, 14:00 / Thu 10 Dec 2026"
    assert _render("[{{ none|when }}][{{ none|kdate }}][{{ none|masked }}]", none=None) == "[][][]"


def test_a_moment_is_written_as_its_seoul_date_and_a_naive_one_as_seoul_time():
    from scheduling.dates import korean_date, korean_datetime, local_span

    late_utc = dt.datetime(2026, 12, 9, 20, 30, tzinfo=dt.UTC)  # 05:30 on the 10th in Seoul
    assert korean_date(late_utc) == "2026. 12. 10.(목)"
    assert korean_datetime(dt.datetime(2026, 12, 10, 14, 0)) == "2026. 12. 10.(목) 14:00"
    start = dt.datetime(2026, 12, 10, 10, 0, tzinfo=SEOUL)
    assert local_span(start, start + dt.timedelta(hours=2)) == "2026. 12. 10.(목) 10:00–12:00"
