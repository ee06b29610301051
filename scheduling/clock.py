"""The answer clock (처리기간) as pure functions, after Korean civil-petition
practice (민원 처리에 관한 법률 시행령 §19):

- a period of **5 days or less** is counted in working hours, 8 a day
  (09:00–12:00 and 13:00–18:00 on working days), from the moment of receipt;
- a period of **6 days or more** is counted in working days and the day of
  receipt **is** counted ("첫날을 산입하되"), while Saturdays, Sundays, public
  holidays and city closures are not; the answer is due at the end of the
  last day (18:00). A request received on a non-working day therefore starts
  its count on the next working day.

``calendar`` is a ``scheduling.workdays.WorkingCalendar``; times are aware
(Asia/Seoul).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

SEOUL = ZoneInfo("Asia/Seoul")
WORKING_PERIODS = ((dt.time(9), dt.time(12)), (dt.time(13), dt.time(18)))
HOURS_PER_DAY = 8
DAYS_COUNTED_IN_HOURS = 5


def answer_due(received_at: dt.datetime, days: int, *, calendar) -> dt.datetime:
    """When the first answer to a request received at ``received_at`` is due."""
    if days <= 0:
        raise ValueError("days must be positive")
    if received_at.tzinfo is None:
        raise ValueError("received_at must be an aware datetime")
    local = received_at.astimezone(SEOUL)
    if days <= DAYS_COUNTED_IN_HOURS:
        return _add_working_hours(local, days * HOURS_PER_DAY, calendar)
    first_day = calendar.next_working_day(local.date(), include_today=True)
    last_day = calendar.add_working_days(first_day, days - 1)
    return dt.datetime.combine(last_day, WORKING_PERIODS[-1][1], tzinfo=SEOUL)


def add_working_hours(start: dt.datetime, hours: int, *, calendar) -> dt.datetime:
    """``hours`` working hours after ``start`` (09–12 and 13–18 on working days)."""
    return _add_working_hours(start.astimezone(SEOUL), hours, calendar)


def working_hours_between(start: dt.datetime, end: dt.datetime, *, calendar) -> float:
    """The working hours (09–12, 13–18 on working days) from ``start`` to
    ``end``: how long a petition took in the office's time. A petition
    received on Friday evening and answered Monday at 10:00 took 1 hour."""
    if end <= start:
        return 0.0
    start, end = start.astimezone(SEOUL), end.astimezone(SEOUL)
    total = dt.timedelta()
    day = start.date()
    while day <= end.date():
        if calendar.is_working_day(day):
            for begin, finish in WORKING_PERIODS:
                period_start = max(start, dt.datetime.combine(day, begin, tzinfo=SEOUL))
                period_end = min(end, dt.datetime.combine(day, finish, tzinfo=SEOUL))
                if period_end > period_start:
                    total += period_end - period_start
        day += dt.timedelta(days=1)
    return total.total_seconds() / 3600


def _add_working_hours(start: dt.datetime, hours: int, calendar) -> dt.datetime:
    remaining = dt.timedelta(hours=hours)
    day = start.date()
    cursor = start
    while True:
        if calendar.is_working_day(day):
            for begin, end in WORKING_PERIODS:
                period_start = dt.datetime.combine(day, begin, tzinfo=SEOUL)
                period_end = dt.datetime.combine(day, end, tzinfo=SEOUL)
                if cursor >= period_end:
                    continue
                frm = max(cursor, period_start)
                available = period_end - frm
                if available >= remaining:
                    return frm + remaining
                remaining -= available
                cursor = period_end
        day += dt.timedelta(days=1)
        cursor = dt.datetime.combine(day, dt.time.min, tzinfo=SEOUL)


def working_days_between(start: dt.date, end: dt.date, *, calendar) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    return sum(1 for _d in calendar.working_days(start + dt.timedelta(days=1), end)) if end > start else 0


def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    """``moment`` ``years`` calendar years earlier on Seoul's calendar (the
    retention periods' cutoff). Counted in Seoul, not in UTC: a period that
    began on 29 February in Seoul (which may still be 28 February in UTC)
    ends with 28 February ``years`` later when that year has no 29th, as
    Korean law counts periods (민법 제160조 제3항), so it is over when
    1 March begins there."""
    return moment.astimezone(SEOUL) - relativedelta(years=years)
