"""The answer clock against dates counted by hand on a paper calendar.

The rule (민원 처리에 관한 법률 시행령 제19조, 처리기간의 계산):
- 5 days or less: counted in working hours from the moment of receipt,
  8 hours a day (09–12 and 13–18), Saturdays and holidays not counted;
- 6 days or more: counted in days, the first day counted ("첫날을 산입하되"),
  Saturdays, Sundays, public holidays and city closures not counted; due at
  the end of the last day (18:00).

In the comments, ✓n is the n-th day (or hour total) counted, ✗ a day skipped.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.clock import WORKING_PERIODS, answer_due, years_before
from scheduling.workdays import WorkingCalendar

SEOUL = ZoneInfo("Asia/Seoul")
HOLIDAYS_ONLY = WorkingCalendar()


def at(year, month, day, hour=10, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SEOUL)


def end_of(year, month, day) -> dt.datetime:
    return at(year, month, day, 18)


# --- 7 working days (counted in days, the first day included) ----------------


def test_seven_days_across_chuseok_2025():
    # Received Thu 10-02 10:00.
    # ✓1 Thu 10-02 (the day of receipt counts)
    # ✗ Fri 10-03 개천절, ✗ Sat 10-04, ✗ Sun 10-05 추석 전날, ✗ Mon 10-06 추석,
    # ✗ Tue 10-07 추석 다음날, ✗ Wed 10-08 추석 대체 휴일, ✗ Thu 10-09 한글날
    # ✓2 Fri 10-10, ✗ Sat 10-11, ✗ Sun 10-12
    # ✓3 Mon 10-13, ✓4 Tue 10-14, ✓5 Wed 10-15, ✓6 Thu 10-16, ✓7 Fri 10-17
    assert answer_due(at(2025, 10, 2), 7, calendar=HOLIDAYS_ONLY) == end_of(2025, 10, 17)


def test_seven_days_across_seollal_2026():
    # Received Thu 02-12 10:00.
    # ✓1 Thu 02-12, ✓2 Fri 02-13, ✗ Sat 02-14, ✗ Sun 02-15,
    # ✗ Mon 02-16 설날 전날, ✗ Tue 02-17 설날, ✗ Wed 02-18 설날 다음날
    # ✓3 Thu 02-19, ✓4 Fri 02-20, ✗ Sat 02-21, ✗ Sun 02-22
    # ✓5 Mon 02-23, ✓6 Tue 02-24, ✓7 Wed 02-25
    assert answer_due(at(2026, 2, 12), 7, calendar=HOLIDAYS_ONLY) == end_of(2026, 2, 25)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Independence Movement Day on Sunday 03-01 → substitute Mon 03-02.
        # ✓1 Fri 02-27, ✗ Sat 02-28, ✗ Sun 03-01, ✗ Mon 03-02 삼일절 대체 휴일,
        # ✓2 Tue 03-03, ✓3 Wed 03-04, ✓4 Thu 03-05, ✓5 Fri 03-06, ✗ Sat, ✗ Sun,
        # ✓6 Mon 03-09, ✓7 Tue 03-10
        (at(2026, 2, 27), end_of(2026, 3, 10)),
        # National Foundation Day on Saturday 10-03 → substitute Mon 10-05,
        # and Hangul Day on Fri 10-09.
        # ✓1 Thu 10-01, ✓2 Fri 10-02, ✗ Sat 10-03 개천절, ✗ Sun 10-04,
        # ✗ Mon 10-05 개천절 대체 휴일, ✓3 Tue 10-06, ✓4 Wed 10-07, ✓5 Thu 10-08,
        # ✗ Fri 10-09 한글날, ✗ Sat, ✗ Sun, ✓6 Mon 10-12, ✓7 Tue 10-13
        (at(2026, 10, 1), end_of(2026, 10, 13)),
        # Liberation Day on Saturday 08-15 → substitute Mon 08-17.
        # ✓1 Thu 08-13, ✓2 Fri 08-14, ✗ Sat 08-15 광복절, ✗ Sun 08-16,
        # ✗ Mon 08-17 광복절 대체 휴일, ✓3 Tue 08-18, ✓4 Wed 08-19, ✓5 Thu 08-20,
        # ✓6 Fri 08-21, ✗ Sat, ✗ Sun, ✓7 Mon 08-24
        (at(2026, 8, 13), end_of(2026, 8, 24)),
    ],
    ids=["2026-03-02", "2026-10-05", "2026-08-17"],
)
def test_seven_days_across_a_substitute_holiday(received, due):
    assert answer_due(received, 7, calendar=HOLIDAYS_ONLY) == due


def test_seven_days_across_a_city_closure():
    closed = WorkingCalendar({dt.date(2026, 7, 1): "시 개청 기념일"})  # a Wednesday
    # Received Mon 06-29 10:00.
    # ✓1 Mon 06-29, ✓2 Tue 06-30, ✗ Wed 07-01 시 개청 기념일, ✓3 Thu 07-02,
    # ✓4 Fri 07-03, ✗ Sat, ✗ Sun, ✓5 Mon 07-06, ✓6 Tue 07-07, ✓7 Wed 07-08
    assert answer_due(at(2026, 6, 29), 7, calendar=closed) == end_of(2026, 7, 8)
    # Without the closure it is one working day sooner.
    assert answer_due(at(2026, 6, 29), 7, calendar=HOLIDAYS_ONLY) == end_of(2026, 7, 7)


def test_seven_days_received_on_a_saturday():
    # Received Sat 11-28 14:00: the first day is not a working day, so the
    # count starts on the next one.
    # ✗ Sat 11-28, ✗ Sun 11-29, ✓1 Mon 11-30, ✓2 Tue 12-01, ✓3 Wed 12-02,
    # ✓4 Thu 12-03, ✓5 Fri 12-04, ✗ Sat, ✗ Sun, ✓6 Mon 12-07, ✓7 Tue 12-08
    assert answer_due(at(2026, 11, 28, 14), 7, calendar=HOLIDAYS_ONLY) == end_of(2026, 12, 8)
    # Received on the Sunday: the same due date.
    assert answer_due(at(2026, 11, 29, 9), 7, calendar=HOLIDAYS_ONLY) == end_of(2026, 12, 8)


def test_seven_days_received_late_in_the_evening_still_count_that_day():
    # Received Thu 11-26 22:00: the decree counts the first day as such.
    # ✓1 Thu 11-26, ✓2 Fri 11-27, ✗ Sat, ✗ Sun, ✓3 Mon 11-30, ✓4 Tue 12-01,
    # ✓5 Wed 12-02, ✓6 Thu 12-03, ✓7 Fri 12-04
    assert answer_due(at(2026, 11, 26, 22), 7, calendar=HOLIDAYS_ONLY) == end_of(2026, 12, 4)


def test_six_days_are_counted_in_days_five_in_hours():
    # 6 days from Thu 11-26 10:00, in days:
    # ✓1 Thu 11-26, ✓2 Fri 11-27, ✓3 Mon 11-30, ✓4 Tue 12-01, ✓5 Wed 12-02, ✓6 Thu 12-03
    assert answer_due(at(2026, 11, 26), 6, calendar=HOLIDAYS_ONLY) == end_of(2026, 12, 3)
    # 5 days from Thu 11-26 10:00, in hours (40):
    # Thu 10–12 2h + 13–18 5h = 7, Fri +8 = 15, Mon 11-30 +8 = 23, Tue +8 = 31,
    # Wed 12-02 +8 = 39, Thu 12-03 09–10 +1 = 40 → Thu 12-03 10:00
    assert answer_due(at(2026, 11, 26), 5, calendar=HOLIDAYS_ONLY) == at(2026, 12, 3, 10)


# --- 5 days or less (counted in working hours, 8 a day) -----------------------


def test_three_days_in_hours_across_chuseok_2026():
    # Received Wed 09-23 15:00 (the day before Chuseok eve); 3 days = 24 hours.
    # Wed 09-23 15–18 = 3h (3)
    # ✗ Thu 09-24 추석 전날, ✗ Fri 09-25 추석, ✗ Sat 09-26 추석 다음날, ✗ Sun 09-27
    # Mon 09-28 8h (11), Tue 09-29 8h (19),
    # Wed 09-30 09–12 3h (22), 13–15 2h (24) → Wed 09-30 15:00
    assert answer_due(at(2026, 9, 23, 15), 3, calendar=HOLIDAYS_ONLY) == at(2026, 9, 30, 15)


def test_two_days_in_hours_across_chuseok_2025():
    # Received Thu 10-02 16:00; 2 days = 16 hours.
    # Thu 10-02 16–18 = 2h (2); ✗ 10-03 … 10-09 (개천절, weekend, 추석 연휴,
    # 대체 휴일, 한글날); Fri 10-10 8h (10); ✗ Sat, ✗ Sun;
    # Mon 10-13 09–12 3h (13), 13–16 3h (16) → Mon 10-13 16:00
    assert answer_due(at(2025, 10, 2, 16), 2, calendar=HOLIDAYS_ONLY) == at(2025, 10, 13, 16)


def test_one_day_in_hours_skips_the_weekend():
    # Received Fri 11-27 11:00; 8 hours.
    # Fri 11–12 1h (1), 13–18 5h (6); ✗ Sat, ✗ Sun; Mon 11-30 09–11 2h (8)
    assert answer_due(at(2026, 11, 27, 11), 1, calendar=HOLIDAYS_ONLY) == at(2026, 11, 30, 11)


def test_hours_received_at_lunch_or_before_opening_start_with_the_next_working_period():
    # Received Tue 11-24 12:30 (lunch): Tue 13–18 5h, Wed 11-25 09–12 3h → Wed 12:00
    assert answer_due(at(2026, 11, 24, 12, 30), 1, calendar=HOLIDAYS_ONLY) == at(2026, 11, 25, 12)
    # Received Mon 11-23 07:00: five full working days, Mon … Fri 11-27 18:00
    assert answer_due(at(2026, 11, 23, 7), 5, calendar=HOLIDAYS_ONLY) == end_of(2026, 11, 27)
    # Received Sat 11-28 at noon: counted from Mon 11-30 09:00, 8h → Mon 18:00
    assert answer_due(at(2026, 11, 28, 12), 1, calendar=HOLIDAYS_ONLY) == end_of(2026, 11, 30)


def test_hours_across_a_city_closure():
    closed = WorkingCalendar({dt.date(2026, 7, 1): "시 개청 기념일"})
    # Received Tue 06-30 17:00; 8 hours: Tue 17–18 1h, ✗ Wed 07-01 closed,
    # Thu 07-02 09–12 3h (4), 13–17 4h (8) → Thu 17:00
    assert answer_due(at(2026, 6, 30, 17), 1, calendar=closed) == at(2026, 7, 2, 17)


def test_a_receipt_in_another_time_zone_is_read_in_seoul():
    received = dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.UTC)  # 10:00 in Seoul
    assert answer_due(received, 7, calendar=HOLIDAYS_ONLY) == end_of(2026, 12, 4)


def test_nonsense_is_refused():
    with pytest.raises(ValueError):
        answer_due(at(2026, 11, 26), 0, calendar=HOLIDAYS_ONLY)
    with pytest.raises(ValueError):
        answer_due(dt.datetime(2026, 11, 26, 10), 7, calendar=HOLIDAYS_ONLY)  # naive


# --- properties ------------------------------------------------------------------

receipts = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 12, 1), timezones=st.just(SEOUL)
).map(lambda moment: moment.replace(second=0, microsecond=0))
periods = st.integers(min_value=1, max_value=30)
closures = st.dictionaries(
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2036, 3, 1)), st.just("시 자체 휴무"), max_size=40
)


def _working_hours_between(start: dt.datetime, end: dt.datetime, calendar) -> dt.timedelta:
    """An independent count: the working periods' overlap with [start, end]."""
    total = dt.timedelta()
    day = start.date()
    while day <= end.date():
        if calendar.is_working_day(day):
            for begin, finish in WORKING_PERIODS:
                lo = max(start, dt.datetime.combine(day, begin, tzinfo=SEOUL))
                hi = min(end, dt.datetime.combine(day, finish, tzinfo=SEOUL))
                total += max(hi - lo, dt.timedelta())
        day += dt.timedelta(days=1)
    return total


def _in_working_hours(moment: dt.datetime) -> bool:
    return any(begin < moment.time() <= finish for begin, finish in WORKING_PERIODS) or moment.time() == dt.time(18)


@settings(max_examples=300, deadline=None)
@given(received=receipts, days=periods, closed=closures)
def test_the_due_moment_is_in_working_hours_of_a_working_day(received, days, closed):
    calendar = WorkingCalendar(closed)
    due = answer_due(received, days, calendar=calendar)
    assert due > received
    assert calendar.is_working_day(due.date()), (due, calendar.non_working_reason(due.date()))
    assert _in_working_hours(due), due
    if days <= 5:
        assert _working_hours_between(received, due, calendar) == dt.timedelta(hours=8 * days)
    else:
        assert due.time() == dt.time(18)
        counted = list(calendar.working_days(received.date(), due.date()))
        assert len(counted) == days


@settings(max_examples=300, deadline=None)
@given(first=receipts, gap=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=20)), days=periods)
def test_a_later_receipt_is_never_due_sooner(first, gap, days):
    second = first + gap
    assert answer_due(first, days, calendar=HOLIDAYS_ONLY) <= answer_due(second, days, calendar=HOLIDAYS_ONLY)


# --- Retention periods (years_before) ----------------------------------------------


@pytest.mark.parametrize(
    ("ended", "over"),
    [
        # Three years to the minute, on Seoul's calendar.
        (at(2026, 12, 24, 14), at(2029, 12, 24, 14)),
        # A period that began on 29 February ends with 28 February (no 29th in
        # 2031): over when 1 March begins in Seoul, not at 09:00 when it
        # begins in UTC.
        (at(2028, 2, 29, 10), at(2031, 3, 1, 0)),
        # 05:00 on 29 February in Seoul is still 28 February in UTC.
        (at(2028, 2, 29, 5), at(2031, 3, 1, 0)),
        (at(2028, 2, 28, 23, 59), at(2031, 2, 28, 23, 59)),
        (at(2028, 3, 1, 5), at(2031, 3, 1, 5)),
    ],
    ids=["ordinary", "leap-day", "leap-day-before-09-00", "eve-of-leap-day", "after-leap-day"],
)
def test_a_retention_period_is_over_n_calendar_years_later_in_seoul(ended, over):
    second = dt.timedelta(seconds=1)
    assert years_before(over - second, 3) < ended <= years_before(over, 3)
    assert years_before(over.astimezone(dt.UTC), 3) == years_before(over, 3)  # whatever zone "now" is in


def test_working_hours_between_counts_only_office_hours():
    from scheduling.clock import working_hours_between
    from scheduling.workdays import WorkingCalendar

    calendar = WorkingCalendar()
    friday_evening = dt.datetime(2026, 11, 20, 19, tzinfo=SEOUL)
    monday_ten = dt.datetime(2026, 11, 23, 10, tzinfo=SEOUL)
    assert working_hours_between(friday_evening, monday_ten, calendar=calendar) == 1
    # 09:00 to 18:00 of one day: 8 hours (the lunch hour is not counted).
    assert (
        working_hours_between(
            dt.datetime(2026, 11, 23, 9, tzinfo=SEOUL), dt.datetime(2026, 11, 23, 18, tzinfo=SEOUL), calendar=calendar
        )
        == 8
    )
