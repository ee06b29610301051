"""The awkward "todays": one list of moments, 2026–2030, on which the
date-sensitive flows are run (``tests/*/test_any_day.py``), each pinned with
``pinned_today`` so that it runs the same on any machine on any date.

Each is awkward for a reason a citizen or the secretariat would notice: the
office is closed today or tomorrow, a meeting day falls on (or just before)
a holiday, the year, the month or the half-year ends, February has no 29th
next year, or the Seoul date is not the UTC date. Times are Asia/Seoul.

The second half of the file is an oracle of working days written from
``holidays.KR`` alone (no city closures, nothing of ``scheduling.workdays``),
against which the tests check what the app counted.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays
import pytest

SEOUL = ZoneInfo("Asia/Seoul")


@dataclass(frozen=True)
class AwkwardDay:
    moment: dt.datetime
    why: str

    @property
    def date(self) -> dt.date:
        return self.moment.date()

    def __str__(self) -> str:
        text = self.moment.strftime("%Y-%m-%d")
        return text if self.moment.time() == dt.time(10) else f"{text}T{self.moment:%H%M}"


def _at(year, month, day, hour=10, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SEOUL)


AWKWARD_DAYS = [
    AwkwardDay(
        _at(2026, 6, 3),
        "Wed, local elections (지방선거): a weekday holiday; a request received today starts its clock tomorrow",
    ),
    AwkwardDay(
        _at(2026, 9, 23, 16),
        "Wed, eve of Chuseok 2026 (Thu 24 – Sat 26 Sep): the 4th-Thursday meeting day 24 Sep is a holiday "
        "and moves to Mon 28",
    ),
    AwkwardDay(
        _at(2026, 12, 24),
        "Thu, a meeting day whose next day is Christmas: 'move it one day later' lands on a holiday",
    ),
    AwkwardDay(
        _at(2026, 12, 31, 23, 30),
        "Thu, New Year's Eve, half an hour before midnight: the year, the month and the half-year end, "
        "New Year's Day comes next",
    ),
    AwkwardDay(
        _at(2027, 1, 1, 8, 30),
        "Fri, New Year's Day in Seoul while it is still 2026 in UTC (the database's time): reference "
        "numbers and reports must take the Seoul year",
    ),
    AwkwardDay(
        _at(2027, 2, 5, 17, 30),
        "Fri evening before the Seollal 2027 long weekend (Sat 6 – Tue 9 Feb, with a substitute holiday)",
    ),
    AwkwardDay(
        _at(2027, 2, 9),
        "Tue, the substitute holiday (대체공휴일) of Seollal 2027: a weekday that is not a working day",
    ),
    AwkwardDay(
        _at(2027, 9, 14),
        "Tue, the day before Chuseok 2027 (Tue 14 – Thu 16 Sep): today is itself a holiday",
    ),
    AwkwardDay(
        _at(2027, 12, 27),
        "Mon, the substitute holiday of Christmas 2027 (a Saturday), between Christmas and New Year",
    ),
    AwkwardDay(
        _at(2028, 1, 26),
        "Wed, eve of Seollal 2028: the 4th-Thursday meeting day (27 Jan) is Seollal and moves past the break to Mon 31",
    ),
    AwkwardDay(
        _at(2028, 2, 29),
        "Tue, the leap day: a month or a year later has no 29 February (retention periods, reports)",
    ),
    AwkwardDay(
        _at(2028, 4, 12),
        "Wed, general election (국회의원선거): a weekday holiday",
    ),
    AwkwardDay(
        _at(2028, 9, 29, 17),
        "Fri evening before the longest break: Chuseok 2028 and National Foundation Day "
        "(Sat 30 Sep – Thu 5 Oct, a substitute holiday included), then Hangul Day Mon 9 Oct",
    ),
    AwkwardDay(
        _at(2029, 12, 31),
        "Mon, the last day of 2029 (and of its second half): the next working day is in 2030, after New Year's Day",
    ),
    AwkwardDay(
        _at(2030, 3, 26),
        "Tue, the day before the 2030 presidential election (Wed 27 Mar, holidays >= 0.109)",
    ),
    AwkwardDay(
        _at(2030, 3, 27),
        "Wed, presidential election day 2030",
    ),
    AwkwardDay(
        _at(2030, 9, 10),
        "Tue, two days before Chuseok 2030: the 2nd-Thursday meeting day (12 Sep) is Chuseok itself and "
        "moves to Mon 16",
    ),
]

#: ``@on_awkward_days`` runs a test once on each awkward day, "today" pinned to it.
on_awkward_days = pytest.mark.parametrize("pinned_today", AWKWARD_DAYS, ids=str, indirect=True)


# --- The oracle -------------------------------------------------------------------------

_KOREA = holidays.KR(years=range(2024, 2036), language="ko")


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a Korean public holiday."""
    return day.weekday() < 5 and day not in _KOREA


def holiday_name(day: dt.date) -> str | None:
    """The holiday's Korean name (as the app shows it), or None."""
    return _KOREA.get(day)


def next_working_day(day: dt.date) -> dt.date:
    """The first working day after ``day``."""
    day += dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def nth_working_day(first: dt.date, n: int) -> dt.date:
    """The ``n``-th working day counting from ``first`` (counted as the first
    if it is a working day), as the answer clock counts 6 days or more."""
    day = first if is_working_day(first) else next_working_day(first)
    for _i in range(n - 1):
        day = next_working_day(day)
    return day


def working_days_after(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    return sum(is_working_day(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1))


def retention_over(ended: dt.datetime, years: int) -> dt.datetime:
    """When a retention period of ``years`` years that began at ``ended`` is
    over, on Seoul's calendar: the same time ``years`` years later, or, for
    one that began on 29 February, when 1 March begins in a year without a
    29th (the period ends with 28 February: 민법 제160조 제3항)."""
    local = ended.astimezone(SEOUL)
    if (local.month, local.day) == (2, 29) and not calendar.isleap(local.year + years):
        return dt.datetime(local.year + years, 3, 1, tzinfo=SEOUL)
    return local.replace(year=local.year + years)
