"""Dates and times (and sums of money) as people in the city read them,
in one place.

Korean: ``2026. 12. 10.(목)`` and ``2026. 12. 10.(목) 14:00``; English (the
second language): ``Thu 10 Dec 2026, 14:00``; on the citizens' pages and
messages also Chinese ``2026年12月10日（周四） 14:00`` and Vietnamese
``Thứ Năm, 10/12/2026 14:00``. Times are Asia/Seoul.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import formats, timezone, translation

KOREAN_WEEKDAYS = "월화수목금토일"
CHINESE_WEEKDAYS = "一二三四五六日"
VIETNAMESE_WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


def _citizen_date(day: dt.date) -> str | None:
    """The date in Chinese or Vietnamese when one of them is active (Django's
    "D j M" would mix in English-like order), else None."""
    language = translation.get_language() or "ko"
    if language.startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日（周{CHINESE_WEEKDAYS[day.weekday()]}）"
    if language.startswith("vi"):
        return f"{VIETNAMESE_WEEKDAYS[day.weekday()]}, {day.day:02d}/{day.month:02d}/{day.year}"
    return None


def local_time(moment: dt.datetime) -> dt.datetime:
    """An aware moment in Seoul time; a naive one is taken as Seoul time already."""
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def korean_date(day: dt.date) -> str:
    """2026. 12. 10.(목); a moment is written as its Seoul date."""
    if isinstance(day, dt.datetime):
        day = local_time(day).date()
    return f"{day.year}. {day.month}. {day.day}.({KOREAN_WEEKDAYS[day.weekday()]})"


def public_date(day: dt.date) -> str:
    """A date on the neighborhood and visit pages: the Korean form, as the
    city publishes it, also on the English page; on a Chinese or Vietnamese
    page that language's form (no Korean weekday on their pages)."""
    return _citizen_date(day) or korean_date(day)


def korean_datetime(moment: dt.datetime) -> str:
    """2026. 12. 10.(목) 14:00, in Seoul time (SMS and e-mail are Korean)."""
    local = local_time(moment)
    return f"{korean_date(local.date())} {local:%H:%M}"


KOREAN_DATETIME = re.compile(r"(\d{4})\. (\d{1,2})\. (\d{1,2})\.\([월화수목금토일]\) (\d{2}):(\d{2})")


def read_korean_datetime(text: str) -> dt.datetime | None:
    """The Seoul moment ``korean_datetime`` wrote, or None for any other text
    (a request's history keeps some moments as such notes; the status page
    writes them again in the page's language)."""
    match = KOREAN_DATETIME.fullmatch(text.strip())
    if not match:
        return None
    year, month, day, hour, minute = map(int, match.groups())
    try:
        return timezone.make_aware(dt.datetime(year, month, day, hour, minute))
    except ValueError:
        return None


def local_when(moment: dt.datetime, *, with_time: bool = True) -> str:
    """A moment in the active language: Korean as above, or
    ``Thu 10 Dec 2026, 14:00`` in English."""
    local = local_time(moment)
    if (translation.get_language() or "ko").startswith("ko"):
        text = korean_date(local.date())
        return f"{text} {local:%H:%M}" if with_time else text
    text = _citizen_date(local.date())
    if text:
        return f"{text} {local:%H:%M}" if with_time else text
    text = formats.date_format(local, "D j M Y")
    return f"{text}, {local:%H:%M}" if with_time else text


def local_span(start: dt.datetime, end: dt.datetime) -> str:
    """A meeting, visit or tour from start to end on one day:
    ``2026. 12. 10.(목) 10:00–12:00`` (``Thu 10 Dec 2026, 10:00–12:00``)."""
    return f"{local_when(start)}–{local_time(end):%H:%M}"


def local_date(day: dt.date) -> str:
    """A date in the active language: ``2026. 11. 1.(일)`` in Korean, ``Sun 1
    Nov 2026`` in English. Every report and PDF writes dates this way; a
    moment is written as its Seoul date."""
    if isinstance(day, dt.datetime):
        day = local_time(day).date()
    if (translation.get_language() or "ko").startswith("ko"):
        return korean_date(day)
    return _citizen_date(day) or formats.date_format(day, "D j M Y")


def html_datetime(value) -> str:
    """A date or moment as the ``datetime`` attribute of ``<time>``:
    ``2026-12-10T14:00:00+09:00`` in Seoul time, whole seconds (the HTML
    standard allows at most three fractional digits; nobody needs them), or
    ``2026-12-10`` for a date; empty for nothing."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return moment.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return ""


def date_range(first: dt.date, last: dt.date) -> str:
    """Both ends included: ``2026. 11. 1.(일) ~ 2026. 11. 30.(월)`` (the
    tilde is how Korean documents write a range; English uses an en dash)."""
    if (translation.get_language() or "ko").startswith("ko"):
        return f"{korean_date(first)} ~ {korean_date(last)}"
    return f"{local_date(first)} – {local_date(last)}"


def headcount(number, *, empty: str = "-") -> str:
    """A number of people: 26880 → "26,880명" ("26,880 people" in English)."""
    if number is None:
        return empty
    from django.utils.translation import ngettext

    return ngettext("%(count)s person", "%(count)s people", int(number)) % {"count": f"{int(number):,}"}


def won(amount, *, empty: str = "-") -> str:
    """A sum in won: 3000000 → "3,000,000원" ("3,000,000 won" in English);
    ``empty`` when there is none."""
    if amount is None:
        return empty
    from django.utils.translation import gettext

    return gettext("%(amount)s won") % {"amount": f"{int(amount):,}"}
