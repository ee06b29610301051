"""The meeting-day (통통데이) rule as pure functions: 2nd and 4th Thursday.

No ORM here, so that the rule is fast and property-testable. The same rule
is what django-scheduler stores (``byweekday:TH;bysetpos:2,4``); note that
``TH(+2)`` would be silently dropped there and make the rule daily.
"""

from __future__ import annotations

import datetime as dt
import functools

from dateutil.rrule import MONTHLY, TH, rrule

RULE_PARAMS = "byweekday:TH;bysetpos:2,4"


def regular_meeting_dates(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every 2nd and 4th Thursday from ``start`` to ``end`` (both included),
    before any holiday handling."""
    return list(_regular_meeting_dates(start, end))


@functools.lru_cache(maxsize=64)
def _regular_meeting_dates(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """Kept per window: the pages and feeds ask for the same few windows on
    every request (a day's worth of them), and the rule never changes."""
    first_of_month = start.replace(day=1)
    rule = rrule(MONTHLY, dtstart=first_of_month, byweekday=TH, bysetpos=(2, 4))
    return tuple(
        d.date()
        for d in rule.between(dt.datetime.combine(start, dt.time.min), dt.datetime.combine(end, dt.time.max), inc=True)
    )


LATER, EARLIER, CANCEL = "later", "earlier", "cancel"
POLICIES = (LATER, EARLIER, CANCEL)


def resolve_meeting_date(
    original: dt.date, *, calendar, policy: str, taken: set[dt.date] | frozenset = frozenset()
) -> dt.date | None:
    """Where a regular meeting date actually falls.

    A date that is a public holiday or city closure is never kept: with
    ``later`` it moves to the next working day, with ``earlier`` to the
    previous one, skipping dates in ``taken`` (the other meeting days); with
    ``cancel`` it is dropped (None). ``calendar`` is a
    ``scheduling.workdays.WorkingCalendar``. An unknown policy is refused
    (ValueError) rather than read as "earlier".
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown holiday policy {policy!r}")
    if not calendar.is_holiday_or_closure(original):
        return original
    if policy == CANCEL:
        return None
    step = calendar.next_working_day if policy == LATER else calendar.previous_working_day
    day = step(original)
    while day in taken:
        day = step(day)
    return day


def resolve_new_days(
    originals: list[dt.date], *, calendar, policy: str, taken: set[dt.date]
) -> dict[dt.date, dt.date | None]:
    """Where each of ``originals`` (rule dates without a meeting day yet, in
    order) actually falls, resolved one after the other as
    ``meeting_days_sync`` builds them: a day that moves takes its new date,
    which the later ones then skip. ``taken`` holds the dates that are
    already meeting days (the window's rule dates and the existing days'
    dates); it grows with each move."""
    resolved = {}
    for original in originals:
        actual = resolve_meeting_date(original, calendar=calendar, policy=policy, taken=taken)
        if actual is not None and actual != original:
            taken.add(actual)
        resolved[original] = actual
    return resolved
