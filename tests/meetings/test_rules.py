"""Properties of the meeting-day series for any year 2020–2035.

Before holiday handling: only 2nd and 4th Thursdays, all of them, 24 a year,
and the pure rule (``meetings.rules``) agrees with django-scheduler's
expansion of the stored ``Rule`` (``regular_occurrences``).

After holiday handling (public holidays from ``holidays.KR`` plus random city
closures, each policy): no day offered to citizens is a public holiday, a
weekend or a closure; no two meeting days share a date; a day that moves goes
to the next (``later``) or previous (``earlier``) working day that is not
already a meeting day; a day that does not need to move stays where it is.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.models import MeetingDay
from meetings.rules import CANCEL, EARLIER, LATER, regular_meeting_dates, resolve_meeting_date
from meetings.selectors import regular_occurrences
from meetings.services.series import meeting_days_sync, series_configure
from scheduling.clock import SEOUL
from scheduling.models import CityClosure
from scheduling.workdays import WorkingCalendar

THURSDAY = 3
POLICIES = (LATER, EARLIER, CANCEL)
years = st.integers(min_value=2020, max_value=2035)
policies = st.sampled_from(POLICIES)


def second_and_fourth_thursdays(year: int) -> list[dt.date]:
    """Counted by hand, month by month, without dateutil."""
    found = []
    for month in range(1, 13):
        thursdays = [
            dt.date(year, month, day)
            for day in range(1, month_calendar.monthrange(year, month)[1] + 1)
            if dt.date(year, month, day).weekday() == THURSDAY
        ]
        found += [thursdays[1], thursdays[3]]
    return found


def year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


@st.composite
def closures_around_meeting_days(draw, year: int) -> dict[dt.date, str]:
    """City closures on and around meeting days, single days and runs of up
    to two weeks, so that moves must skip closed days and, sometimes, skip
    over the next meeting day."""
    rule_dates = regular_meeting_dates(*year_range(year))
    runs = draw(st.lists(st.tuples(st.sampled_from(rule_dates), st.integers(-6, 9), st.integers(1, 15)), max_size=8))
    return {day + dt.timedelta(days=offset + n): "시 자체 휴무" for day, offset, length in runs for n in range(length)}


def resolve_all(rule_dates, calendar, policy) -> dict[dt.date, dt.date | None]:
    """Resolve a year's days in order, as ``meeting_days_sync`` does: a moved
    day may not land on another meeting day."""
    taken = set(rule_dates)
    resolved = {}
    for original in rule_dates:
        actual = resolve_meeting_date(original, calendar=calendar, policy=policy, taken=taken)
        if actual is not None and actual != original:
            taken.add(actual)
        resolved[original] = actual
    return resolved


def assert_sound(resolved: dict[dt.date, dt.date | None], calendar: WorkingCalendar, policy: str) -> None:
    offered = [actual for actual in resolved.values() if actual is not None]
    # Nothing offered to citizens on a holiday, a weekend or a closure.
    for actual in offered:
        assert calendar.is_working_day(actual), (actual, calendar.non_working_reason(actual))
    # Never two meeting days on one date.
    assert len(offered) == len(set(offered))
    meeting_dates = set(resolved) | set(offered)
    for original, actual in resolved.items():
        if not calendar.is_holiday_or_closure(original):
            assert actual == original  # an ordinary meeting day never moves
            continue
        if policy == CANCEL:
            assert actual is None
            continue
        assert actual is not None
        if policy == LATER:
            assert actual > original
            between = _days_between(original, actual)
        else:
            assert actual < original
            between = _days_between(actual, original)
        # The next (previous) working day, unless that one was already a meeting day.
        for day in between:
            assert not calendar.is_working_day(day) or day in meeting_dates, (original, actual, day)


def _days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range(1, (last - first).days)]


# --- before holiday handling -------------------------------------------------


@given(year=years)
def test_the_rule_gives_the_second_and_fourth_thursdays_24_a_year(year):
    dates = regular_meeting_dates(*year_range(year))
    assert len(dates) == 24
    assert dates == sorted(dates)
    assert all(day.weekday() == THURSDAY and (day.day - 1) // 7 + 1 in (2, 4) for day in dates)
    assert dates == second_and_fourth_thursdays(year)


@given(year=years, first=st.integers(0, 364), length=st.integers(0, 120))
def test_any_range_gives_the_rule_dates_inside_it(year, first, length):
    start = dt.date(year, 1, 1) + dt.timedelta(days=first)
    end = start + dt.timedelta(days=length)
    expected = [d for y in {start.year, end.year} for d in second_and_fourth_thursdays(y) if start <= d <= end]
    assert regular_meeting_dates(start, end) == sorted(expected)


@pytest.mark.django_db
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(year=years, first=st.integers(0, 364), length=st.integers(0, 400))
def test_django_scheduler_expands_the_stored_rule_to_the_same_dates(city, year, first, length):
    series = city["series"]
    assert series.event.rule.params == "byweekday:TH;bysetpos:2,4"
    start = dt.date(year, 1, 1) + dt.timedelta(days=first)
    end = start + dt.timedelta(days=length)
    assert regular_occurrences(series, start, end) == regular_meeting_dates(start, end)


@pytest.mark.django_db
def test_django_scheduler_agrees_for_every_year_2020_to_2035(city):
    for year in range(2020, 2036):
        assert regular_occurrences(city["series"], *year_range(year)) == second_and_fourth_thursdays(year), year


# --- after holiday handling ----------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(data=st.data(), year=years, policy=policies)
def test_no_day_offered_is_a_holiday_weekend_or_closure(data, year, policy):
    closures = data.draw(closures_around_meeting_days(year), label="closures")
    calendar = WorkingCalendar(closures)
    resolved = resolve_all(regular_meeting_dates(*year_range(year)), calendar, policy)
    assert_sound(resolved, calendar, policy)


@pytest.mark.parametrize("policy", POLICIES)
def test_every_year_2020_to_2035_with_public_holidays_only(policy):
    calendar = WorkingCalendar()
    for year in range(2020, 2036):
        resolved = resolve_all(regular_meeting_dates(*year_range(year)), calendar, policy)
        assert_sound(resolved, calendar, policy)


def test_known_moves():
    calendar = WorkingCalendar()
    hangul_day = dt.date(2025, 10, 9)  # Thursday; Friday 10-10 is a working day
    assert resolve_meeting_date(hangul_day, calendar=calendar, policy=LATER) == dt.date(2025, 10, 10)
    # Earlier: Wed 10-08 is the Chuseok substitute holiday, back to Thu 10-02
    # (10-03 is National Foundation Day, 10-04/05 a weekend, 10-05..10-07 Chuseok).
    assert resolve_meeting_date(hangul_day, calendar=calendar, policy=EARLIER) == dt.date(2025, 10, 2)
    assert resolve_meeting_date(hangul_day, calendar=calendar, policy=CANCEL) is None
    chuseok_eve = dt.date(2026, 9, 24)  # Thursday; Chuseok 09-25, then a weekend
    assert resolve_meeting_date(chuseok_eve, calendar=calendar, policy=LATER) == dt.date(2026, 9, 28)
    # Monday 09-28 already taken by another meeting day: Tuesday.
    taken = {dt.date(2026, 9, 28)}
    assert resolve_meeting_date(chuseok_eve, calendar=calendar, policy=LATER, taken=taken) == dt.date(2026, 9, 29)


def test_an_unknown_policy_is_refused():
    with pytest.raises(ValueError):
        resolve_meeting_date(dt.date(2025, 10, 9), calendar=WorkingCalendar(), policy="sideways")


# --- the same, through the service and the database -----------------------------


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), year=years, policy=policies)
def test_the_synced_year_offers_only_working_days(city, data, year, policy):
    closures = data.draw(closures_around_meeting_days(year), label="closures")
    start, end = year_range(year)
    with transaction.atomic():
        series = series_configure(series=city["series"], holiday_policy=policy)
        CityClosure.objects.bulk_create(CityClosure(date=day, name=name) for day, name in closures.items())

        days = meeting_days_sync(start=start, end=end, series=series)

        assert len(days) == 24
        calendar = WorkingCalendar(closures)
        resolved = {
            day.original_date: None if day.is_cancelled else timezone.localtime(day.start).date() for day in days
        }
        assert sorted(resolved) == regular_meeting_dates(start, end)
        assert_sound(resolved, calendar, policy)
        for day in days:
            if day.status == MeetingDay.Status.REGULAR:
                assert day.occurrence is None and day.slots.count() == series.slots_per_day
                continue
            # Moved and cancelled days carry their reason and a persisted occurrence.
            assert day.reason and day.occurrence is not None
            assert day.occurrence.original_start.astimezone(SEOUL).date() == day.original_date
            assert day.occurrence.cancelled == day.is_cancelled
            if not day.is_cancelled:
                assert day.occurrence.start == day.start
        # django-scheduler, asked for the year, shows the same offered days.
        window_start = dt.datetime.combine(start - dt.timedelta(days=31), dt.time.min, tzinfo=SEOUL)
        window_end = dt.datetime.combine(end + dt.timedelta(days=32), dt.time.min, tzinfo=SEOUL)
        occurrences = [
            occ
            for occ in series.event.get_occurrences(window_start, window_end)
            if occ.original_start.astimezone(SEOUL).year == year and not occ.cancelled
        ]
        assert sorted(occ.start for occ in occurrences) == sorted(d.start for d in days if not d.is_cancelled)
        transaction.set_rollback(True)
