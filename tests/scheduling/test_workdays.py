"""The one answer to "is this a working day", on dates a city clerk knows."""

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from scheduling.models import CityClosure
from scheduling.workdays import WorkingCalendar, is_working_day, non_working_reason, working_calendar

D = dt.date


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "working", "reason"),
    [
        (D(2025, 10, 9), False, "한글날"),  # a Thursday: a meeting day that must move
        (D(2026, 9, 24), False, "추석 전날"),  # Chuseok eve, a Thursday
        (D(2026, 10, 5), False, "개천절 대체 휴일"),  # substitute for Sat 10-03
        (D(2025, 10, 8), False, "추석 대체 휴일"),  # substitute for Chuseok on a Sunday
        (D(2026, 6, 3), False, "지방선거일"),  # local election day
        # The 2030 presidential election: the Wednesday 50 days before the
        # end of the term (Public Official Election Act §34), not 04-03 as
        # holidays 0.108 had it.
        (D(2030, 3, 27), False, "대통령 선거일"),
        (D(2030, 4, 3), True, None),
        (D(2026, 11, 28), False, "토요일"),
        (D(2026, 11, 29), False, "일요일"),
        (D(2026, 11, 26), True, None),  # an ordinary Thursday
        (D(2025, 10, 10), True, None),  # the Friday after Hangul Day
    ],
)
def test_known_dates(day, working, reason):
    with translation.override("ko"):
        assert is_working_day(day) is working
        found = non_working_reason(day)
    if reason is None:
        assert found is None
    else:
        assert reason in found


@pytest.mark.django_db
def test_city_closure_is_not_a_working_day_and_names_its_reason():
    day = D(2026, 7, 1)  # a Wednesday
    assert is_working_day(day)
    CityClosure.objects.create(date=day, name="시 개청 기념일")
    assert not is_working_day(day)
    assert non_working_reason(day) == "시 개청 기념일"
    assert working_calendar().is_holiday_or_closure(day)


def test_holiday_names_follow_the_active_language():
    calendar = WorkingCalendar()
    with translation.override("en"):
        assert calendar.non_working_reason(D(2025, 10, 9)) == "Hangul Day"
        assert calendar.non_working_reason(D(2026, 11, 28)) == "Saturday"


def test_a_holiday_on_a_weekend_reads_as_the_holiday():
    with translation.override("ko"):
        assert WorkingCalendar().non_working_reason(D(2026, 10, 3)) == "개천절"  # a Saturday


def test_adding_working_days_skips_chuseok_2025():
    # Thu 2025-10-02 + 3 working days: Fri 10-03 (개천절), the weekend,
    # Mon-Wed Chuseok and its substitute, Thu 10-09 (한글날) are all skipped.
    calendar = WorkingCalendar()
    assert calendar.add_working_days(D(2025, 10, 2), 1) == D(2025, 10, 10)
    assert calendar.add_working_days(D(2025, 10, 2), 3) == D(2025, 10, 14)


def test_next_and_previous_working_day():
    calendar = WorkingCalendar({D(2026, 12, 24): "종무 휴무"})
    assert calendar.next_working_day(D(2026, 12, 23)) == D(2026, 12, 28)  # 24 closed, 25 Christmas, weekend
    assert calendar.previous_working_day(D(2026, 12, 28)) == D(2026, 12, 23)
    assert calendar.next_working_day(D(2026, 12, 23), include_today=True) == D(2026, 12, 23)


@given(st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31)))
def test_every_day_is_either_working_or_has_a_reason(day):
    calendar = WorkingCalendar()
    reason = calendar.non_working_reason(day)
    assert calendar.is_working_day(day) is (reason is None)
    if day.weekday() >= 5:
        assert reason
    nxt = calendar.next_working_day(day)
    assert nxt > day and calendar.is_working_day(nxt) and nxt.weekday() < 5
    assert all(not calendar.is_working_day(day + dt.timedelta(days=i)) for i in range(1, (nxt - day).days))
