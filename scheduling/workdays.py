"""Is this a working day? The one answer every part of Tongtong uses.

A day is not a working day when it is a Saturday or a Sunday, a Korean public
holiday (``holidays.KR``, substitute holidays and election days included), or
a closure the city has added (``CityClosure``).

``WorkingCalendar`` is pure (no database): the planner and the answer clock
build one with the closures loaded once and ask it thousands of times.
``is_working_day`` / ``non_working_reason`` are the convenient forms that
read the closures from the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from functools import lru_cache

import holidays
from django.utils import translation
from django.utils.translation import gettext as _

SATURDAY, SUNDAY = 5, 6


@lru_cache(maxsize=8)
def _korean_holidays(language: str) -> holidays.HolidayBase:
    # expand=True (the default) lets the object grow to any year asked for.
    return holidays.KR(language=language)


def public_holiday_name(day: dt.date) -> str | None:
    """The public holiday's name in the active language, or None."""
    language = "ko" if (translation.get_language() or "ko").startswith("ko") else "en_US"
    return _korean_holidays(language).get(day)


class WorkingCalendar:
    """Working days given the city's closures (a mapping date → reason)."""

    def __init__(self, closures: Mapping[dt.date, str] | None = None):
        self.closures = dict(closures or {})

    def non_working_reason(self, day: dt.date) -> str | None:
        """Why ``day`` is not a working day, or None if it is one.

        A public holiday or closure is named before the weekend, so that a
        holiday falling on a Saturday still reads as the holiday.
        """
        if day in self.closures:
            return self.closures[day]
        holiday = public_holiday_name(day)
        if holiday:
            return holiday
        if day.weekday() == SATURDAY:
            return _("Saturday")
        if day.weekday() == SUNDAY:
            return _("Sunday")
        return None

    def is_working_day(self, day: dt.date) -> bool:
        return self.non_working_reason(day) is None

    def is_holiday_or_closure(self, day: dt.date) -> bool:
        """A public holiday or city closure (weekends aside)."""
        return day in self.closures or public_holiday_name(day) is not None

    def working_days(self, start: dt.date, end: dt.date) -> Iterator[dt.date]:
        """Working days from ``start`` to ``end``, both included."""
        day = start
        while day <= end:
            if self.is_working_day(day):
                yield day
            day += dt.timedelta(days=1)

    def next_working_day(self, day: dt.date, *, include_today: bool = False) -> dt.date:
        if not include_today:
            day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def previous_working_day(self, day: dt.date, *, include_today: bool = False) -> dt.date:
        if not include_today:
            day -= dt.timedelta(days=1)
        while not self.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``start`` (``start`` itself not counted)."""
        day = start
        for _i in range(count):
            day = self.next_working_day(day)
        return day


def working_calendar(start: dt.date | None = None, end: dt.date | None = None) -> WorkingCalendar:
    """A ``WorkingCalendar`` with the city's closures loaded from the database
    (between ``start`` and ``end`` when given, else all of them)."""
    from scheduling.models import CityClosure

    closures = CityClosure.objects.all()
    if start:
        closures = closures.filter(date__gte=start)
    if end:
        closures = closures.filter(date__lte=end)
    return WorkingCalendar(dict(closures.values_list("date", "name")))


def non_working_reason(day: dt.date) -> str | None:
    """Why ``day`` is not a working day in this city, or None if it is one."""
    return working_calendar(day, day).non_working_reason(day)


def is_working_day(day: dt.date) -> bool:
    """True when the city office works on ``day``: not a weekend, not a
    Korean public holiday, not a city closure."""
    return non_working_reason(day) is None
