"""scheduling.dates.html_datetime and its template filter: the value of
``<time datetime="…">`` is valid HTML (at most three fractional digits)."""

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
