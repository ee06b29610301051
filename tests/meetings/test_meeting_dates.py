"""``meetings.selectors.meeting_day_dates`` / ``meeting_dates``: the meeting
days of any window read from the rule and the persisted days, writing
nothing, and exactly what ``meeting_days_sync`` then builds.

Each example computes first, then syncs, then compares: for random windows
in 2026–2030, each holiday policy, random city closures, a random part of
the year synced before, and random moves and cancellations by the
secretariat (some far from their rule date).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from meetings.errors import MeetingError
from meetings.models import MeetingDay, MeetingSeries
from meetings.rules import regular_meeting_dates
from meetings.selectors import meeting_dates, meeting_day_dates
from meetings.services.series import meeting_day_cancel, meeting_day_move, meeting_days_sync, series_configure
from scheduling.clock import SEOUL
from scheduling.models import CityClosure, Official
from scheduling.reserved_days import MEETING_DAY, reserved_days
from scheduling.services import official_create

#: "Now" for the secretariat's moves: before every window, so any day may move.
NOW = dt.datetime(2025, 6, 2, 9, tzinfo=SEOUL)


def synced(days) -> dict[dt.date, dt.date | None]:
    return {d.original_date: None if d.is_cancelled else d.start.astimezone(SEOUL).date() for d in days}


def held_dates(start: dt.date, end: dt.date) -> frozenset[dt.date]:
    """The dates from ``start`` to ``end`` that hold a (not cancelled) day row."""
    rows = MeetingDay.objects.exclude(status=MeetingDay.Status.CANCELLED).values_list("start", flat=True)
    return frozenset(d for d in (s.astimezone(SEOUL).date() for s in rows) if start <= d <= end)


@st.composite
def windows(draw):
    start = draw(st.dates(dt.date(2026, 1, 1), dt.date(2030, 12, 31)), label="start")
    return start, start + dt.timedelta(days=draw(st.integers(0, 400), label="length"))


@st.composite
def closures_near_meeting_days(draw, start: dt.date, end: dt.date) -> dict[dt.date, str]:
    rule_dates = regular_meeting_dates(start - dt.timedelta(days=40), end + dt.timedelta(days=40))
    runs = draw(st.lists(st.tuples(st.sampled_from(rule_dates), st.integers(-6, 9), st.integers(1, 15)), max_size=6))
    return {day + dt.timedelta(days=offset + n): "시 자체 휴무" for day, offset, length in runs for n in range(length)}


def secretariat_changes(data, days: list[MeetingDay]) -> None:
    """Move or cancel a few synced days, as the secretariat does."""
    if not days:
        return
    changed = st.lists(st.sampled_from(days), min_size=1, max_size=4, unique_by=lambda d: d.pk)
    for day in data.draw(changed, label="changed"):
        try:
            if data.draw(st.booleans(), label="cancel"):
                meeting_day_cancel(day=day, reason="시장 출장")
                event("a day cancelled")
            else:
                shift = dt.timedelta(
                    days=data.draw(st.sampled_from([-1, 1]), label="sign")
                    * data.draw(st.integers(1, 90), label="moved by")
                )
                meeting_day_move(day=day, new_start=day.start + shift, reason="행사")
                event("a day moved")
        except MeetingError:  # a weekend, a holiday, another meeting day, already cancelled
            event("a change refused")


@pytest.mark.django_db
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), window=windows(), policy=st.sampled_from(["later", "earlier", "cancel"]))
def test_the_dates_read_are_the_days_the_sync_builds(city, data, window, policy):
    start, end = window
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        series = series_configure(series=city["series"], holiday_policy=policy)
        closures = data.draw(closures_near_meeting_days(start, end), label="closures")
        CityClosure.objects.bulk_create(CityClosure(date=day, name=name) for day, name in closures.items())
        if data.draw(st.booleans(), label="partly synced before"):
            first = start + dt.timedelta(days=data.draw(st.integers(-120, 400), label="synced from"))
            before = meeting_days_sync(start=first, end=first + dt.timedelta(days=data.draw(st.integers(0, 200))))
            secretariat_changes(data, before)

        read = meeting_day_dates(start=start, end=end)
        in_window = meeting_dates(start, end)

        # The same window, synced: the same days, moved or cancelled alike.
        with transaction.atomic():
            assert synced(meeting_days_sync(start=start, end=end, series=series)) == read
            transaction.set_rollback(True)
        # Every day the policy may move into the window, synced: the same dates.
        meeting_days_sync(start=start - dt.timedelta(days=31), end=end + dt.timedelta(days=31), series=series)
        assert held_dates(start, end) == in_window
        transaction.set_rollback(True)


@pytest.fixture
def fresh_install(db):
    """A mayor and nothing else: no series, no calendar, no day."""
    return official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(window=windows())
def test_before_any_series_the_default_rule_and_policy_give_what_the_first_sync_builds(fresh_install, window):
    start, end = window
    with transaction.atomic():
        read = meeting_day_dates(start=start, end=end)
        in_window = meeting_dates(start, end)
        assert not MeetingSeries.objects.exists()

        assert synced(meeting_days_sync(start=start, end=end)) == read
        meeting_days_sync(start=start - dt.timedelta(days=31), end=end + dt.timedelta(days=31))
        assert held_dates(start, end) == in_window
        transaction.set_rollback(True)


def test_reading_writes_nothing(fresh_install, django_assert_max_num_queries):
    from schedule.models import Calendar, Event, Occurrence, Rule

    for _with_series in (False, True):
        with django_assert_max_num_queries(8) as queries:
            dates = meeting_dates(dt.date(2026, 1, 1), dt.date(2030, 12, 31))
            meeting_day_dates(start=dt.date(2026, 1, 1), end=dt.date(2030, 12, 31))
        assert len(dates) == 120
        assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
        assert not MeetingDay.objects.exists() and not Occurrence.objects.exists()
        if not MeetingSeries.objects.exists():
            assert not Calendar.objects.filter(slug="meeting-days").exists() and not Rule.objects.exists()
            assert not Event.objects.exclude(calendar=fresh_install.calendar).exists()
            from meetings.services.series import series_get_or_create

            series_get_or_create()


def test_the_core_answers_with_the_meetings_dates(city):
    start, end = dt.date(2027, 5, 1), dt.date(2027, 5, 31)
    # Buddha's Birthday, Thu 2027-05-13, moves to Friday.
    assert (
        reserved_days(MEETING_DAY, start, end)
        == meeting_dates(start, end)
        == {dt.date(2027, 5, 14), dt.date(2027, 5, 27)}
    )
    assert reserved_days("no such kind", start, end) == frozenset()


def test_a_day_moved_far_away_counts_where_it_went(city, secretariat_user):
    day = meeting_days_sync(start=dt.date(2027, 3, 1), end=dt.date(2027, 3, 15))[0]  # Thu 2027-03-11
    with time_machine.travel(NOW, tick=False):
        meeting_day_move(day=day, new_start=dt.datetime(2027, 7, 6, 14, tzinfo=SEOUL), reason="행사")

    assert dt.date(2027, 7, 6) in meeting_dates(dt.date(2027, 7, 1), dt.date(2027, 7, 31))
    assert dt.date(2027, 3, 11) not in meeting_dates(dt.date(2027, 3, 1), dt.date(2027, 3, 31))
    assert meeting_dates(dt.date(2027, 7, 6), dt.date(2027, 7, 6)) == {dt.date(2027, 7, 6)}


@pytest.mark.parametrize("params", ["byweekday:TH;bysetpos:2,4", "byweekday:TU;bysetpos:1,3"])
def test_the_stored_rule_is_followed_from_the_first_day_of_the_series(city, params):
    """Also a rule changed in the admin (read through django-scheduler) and a
    window that begins before the series (2018-07)."""
    rule = city["series"].event.rule
    rule.params = params
    rule.save()
    start, end = dt.date(2018, 1, 1), dt.date(2019, 6, 30)

    read = meeting_day_dates(start=start, end=end)

    assert synced(meeting_days_sync(start=start, end=end)) == read
    assert min(read) >= dt.date(2018, 7, 1)
    assert {day.weekday() for day in read} == {1 if "TU" in params else 3}
