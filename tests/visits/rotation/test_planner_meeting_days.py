"""No field visit on a TongTong Day, for any window, on a fresh install too.

The planner, the move check and re-planning take the meeting days from the
core (``scheduling.reserved_days``), where ``meetings`` registers them: the
series' rule, its holiday policy and the secretariat's persisted moves and
cancellations, never how far a sync has run (issue 12: a plan from
2027-01-01 put visits on 2028-03-23 and 2028-06-22, two 4th Thursdays).

The property test reads the meeting days here on its own, from
``dateutil.rrule`` (2nd and 4th Thursday), ``holidays.KR`` and the city's
closures, and the holiday policies as ``meetings/rules.py`` describes them
("later", the default, moves to the next working day that is not already a
meeting day; "earlier" to the previous one; "cancel" drops the day).
"""

from __future__ import annotations

import datetime as dt
import io
import json

import holidays
import pytest
import time_machine
from dateutil.rrule import MONTHLY, TH, rrule
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from meetings.services.series import (
    meeting_day_cancel,
    meeting_day_move,
    meeting_days_sync,
    series_configure,
    series_get_or_create,
)
from scheduling.models import CityClosure, Neighborhood, Official
from scheduling.services import official_create
from tests.visits.conftest import seoul
from visits.errors import VisitConflict, VisitError
from visits.rotation.planner import PlannerError, PlannerRules, plan
from visits.rotation.services import (
    SEOUL,
    cycle_replan_preview,
    meeting_days_between,
    planner_input_for,
    rotation_plan,
    visit_move,
)

SERIES_START = dt.date(2018, 7, 1)
KOREAN_HOLIDAYS = holidays.KR(years=range(2017, 2033))


# --- The meeting days, read independently -------------------------------------------


def expected_meeting_days(
    start: dt.date, end: dt.date, closures: set[dt.date] = frozenset(), policy: str = "later"
) -> set[dt.date]:
    """TongTong Days from ``start`` to ``end``: the 2nd and 4th Thursdays,
    a holiday or closure moved by ``policy``, never onto another meeting day."""
    first = dt.datetime.combine(max(SERIES_START, start - dt.timedelta(days=31)).replace(day=1), dt.time())
    rule = rrule(MONTHLY, dtstart=first, byweekday=TH, bysetpos=(2, 4))
    last = dt.datetime.combine(end + dt.timedelta(days=31), dt.time())
    originals = [d.date() for d in rule.between(first, last, inc=True) if d.date() >= SERIES_START]

    def closed(day):
        return day in KOREAN_HOLIDAYS or day in closures

    def off(day):
        return day.weekday() >= 5 or closed(day)

    taken, days = set(originals), set()
    for original in originals:
        if not closed(original):
            days.add(original)
        elif policy != "cancel":
            step = dt.timedelta(days=1 if policy == "later" else -1)
            day = original + step
            while off(day) or day in taken:
                day += step
            taken.add(day)
            days.add(day)
    return {day for day in days if start <= day <= end}


def test_the_independent_reading_knows_the_known_days():
    days = expected_meeting_days(dt.date(2027, 1, 1), dt.date(2028, 12, 31))
    assert len(days) == 48
    assert {dt.date(2028, 3, 23), dt.date(2028, 6, 22)} <= days
    # Buddha's Birthday (Thu 2027-05-13) and Seollal (Thu 2028-01-27) move on.
    assert dt.date(2027, 5, 14) in days and dt.date(2027, 5, 13) not in days
    assert dt.date(2028, 1, 31) in days and dt.date(2028, 1, 27) not in days


# --- A fresh city: a mayor and 39 neighborhoods, nothing synced ----------------------


@pytest.fixture
def fresh_city(db):
    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    Neighborhood.objects.bulk_create(
        Neighborhood(
            code=f"H{i:02d}",
            name=f"{i}동",
            sort_order=i,
            is_current_issue_area=i % 9 == 1,
            is_natural_village=i % 11 == 2,
            is_outlying_area=i % 13 == 3,
            last_visited_on=None if i % 3 else dt.date(2024, 1, 1) + dt.timedelta(days=17 * i),
        )
        for i in range(1, 40)
    )
    return mayor


@st.composite
def plans(draw):
    """A start in 2026–2030 and rules that leave room for 39 visits."""
    start = draw(st.dates(dt.date(2026, 1, 1), dt.date(2030, 12, 31)), label="start")
    weekdays = draw(st.sets(st.integers(1, 5)), label="weekdays") | {4}
    per_week = draw(st.integers(1, 5), label="max_per_week")
    per_day = draw(st.integers(1, 2), label="max_per_day")
    weeks = -(-39 // min(per_week, len(weekdays) * per_day))
    length = draw(st.integers(min(730, weeks * 7 * 2 + 28), 730), label="days")
    rules = PlannerRules(weekdays=tuple(sorted(weekdays)), max_per_week=per_week, max_per_day=per_day)
    return start, start + dt.timedelta(days=length - 1), rules


@st.composite
def closures_near(draw, start: dt.date, end: dt.date) -> set[dt.date]:
    """A few city closures on and just after meeting days (runs of 1–4 days)."""
    thursdays = sorted(expected_meeting_days(start, end))
    if not thursdays:
        return set()
    runs = draw(st.lists(st.tuples(st.sampled_from(thursdays), st.integers(0, 4), st.integers(1, 4)), max_size=4))
    return {day + dt.timedelta(days=offset + n) for day, offset, length in runs for n in range(length)}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), window=plans(), with_series=st.booleans())
def test_no_visit_on_a_meeting_day_from_any_start_2026_to_2030(fresh_city, data, window, with_series):
    start, end, rules = window
    closures = data.draw(closures_near(start, end), label="closures")
    policy = "later"  # the series' default, and all there is before the series exists
    with transaction.atomic():
        CityClosure.objects.bulk_create(CityClosure(date=day, name="시 자체 휴무") for day in closures)
        if with_series:
            policy = data.draw(st.sampled_from(["later", "earlier", "cancel"]), label="policy")
            series = series_configure(series=series_get_or_create(), holiday_policy=policy)
            if data.draw(st.booleans(), label="some days synced"):
                first = start + dt.timedelta(days=data.draw(st.integers(-60, 400), label="synced from"))
                meeting_days_sync(start=first, end=first + dt.timedelta(days=120), series=series)
        expected = expected_meeting_days(start, end, closures, policy)

        try:
            _cycle, planned = rotation_plan(official=fresh_city, start=start, end=end, rules=rules, dry_run=True)
        except VisitError:
            assume(False)  # a window too tight for these rules (rare)

        assert len(planned) == 39
        assert not {visit.date for visit in planned} & expected
        assert meeting_days_between(start, end) == expected
        transaction.set_rollback(True)


# --- The reproduction of issue 12 ----------------------------------------------------


@pytest.mark.django_db
def test_a_plan_from_2027_01_01_on_a_fresh_demo_city_keeps_off_the_2028_meeting_days():
    call_command("seed_demo", "--force", "--no-history", stdout=io.StringIO())
    out = io.StringIO()

    call_command("plan_rotation", "--start", "2027-01-01", "--dry-run", "--format", "json", stdout=out)

    dates = {dt.date.fromisoformat(item["date"]) for item in json.loads(out.getvalue())}
    assert len(dates) == Neighborhood.objects.count() == 39
    assert dt.date(2028, 3, 23) not in dates
    assert dt.date(2028, 6, 22) not in dates
    closures = set(CityClosure.objects.values_list("date", flat=True))
    assert not dates & expected_meeting_days(dt.date(2027, 1, 1), dt.date(2028, 12, 31), closures)


def test_the_meeting_days_of_a_fresh_install_are_read_without_writing(fresh_city, django_assert_max_num_queries):
    from schedule.models import Calendar, Event, Occurrence

    with django_assert_max_num_queries(10) as queries:
        days = meeting_days_between(dt.date(2027, 1, 1), dt.date(2028, 12, 31))

    assert days == expected_meeting_days(dt.date(2027, 1, 1), dt.date(2028, 12, 31))
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
    assert not Calendar.objects.filter(slug="meeting-days").exists()
    assert not Event.objects.exclude(calendar=fresh_city.calendar).exists()
    assert not Occurrence.objects.exists()


# --- The secretariat's moves and cancellations ---------------------------------------


@pytest.fixture
def moved_and_cancelled(fresh_city, secretariat_user):
    """Thu 2027-03-25 moved to Tue 2027-03-23 and Thu 2027-04-08 cancelled,
    decided by the secretariat in January 2027."""
    days = {d.original_date: d for d in meeting_days_sync(start=dt.date(2027, 3, 1), end=dt.date(2027, 4, 30))}
    with time_machine.travel(seoul(2027, 1, 4, 9), tick=False):
        meeting_day_move(
            day=days[dt.date(2027, 3, 25)], new_start=seoul(2027, 3, 23, 14), reason="행사", actor=secretariat_user
        )
        meeting_day_cancel(day=days[dt.date(2027, 4, 8)], reason="시장 출장", actor=secretariat_user)
    return fresh_city


def plan_one(official, day: dt.date):
    data = planner_input_for(official=official, start=day, end=day, neighborhoods=["H05"], rules=PlannerRules())
    return plan(data)


def test_a_visit_may_take_the_old_date_of_a_moved_day_but_not_its_new_date(moved_and_cancelled):
    mayor = moved_and_cancelled
    days = meeting_days_between(dt.date(2027, 3, 1), dt.date(2027, 4, 30))
    assert dt.date(2027, 3, 23) in days
    assert dt.date(2027, 3, 25) not in days and dt.date(2027, 4, 8) not in days

    assert [v.date for v in plan_one(mayor, dt.date(2027, 3, 25))] == [dt.date(2027, 3, 25)]
    assert [v.date for v in plan_one(mayor, dt.date(2027, 4, 8))] == [dt.date(2027, 4, 8)]
    with pytest.raises(PlannerError):
        plan_one(mayor, dt.date(2027, 3, 23))


def test_moving_a_visit_follows_the_moved_meeting_day(moved_and_cancelled, secretariat_user):
    cycle, _planned = rotation_plan(official=moved_and_cancelled, start=dt.date(2027, 3, 2), end=dt.date(2028, 2, 29))
    # One visit a week: take the week's visit if it has one.
    in_week = cycle.visits.filter(start__gte=seoul(2027, 3, 22), start__lt=seoul(2027, 3, 29)).first()
    visit = in_week or cycle.visits.order_by("start").first()

    with pytest.raises(VisitConflict, match=r"통통데이|TongTong"):
        visit_move(visit=visit, start=seoul(2027, 3, 23, 10), actor=secretariat_user)
    assert visit_move(visit=visit, start=seoul(2027, 3, 25, 10), actor=secretariat_user).start == seoul(2027, 3, 25, 10)


def test_replanning_keeps_off_a_meeting_day_moved_onto_a_planned_visit(fresh_city, secretariat_user):
    cycle, _planned = rotation_plan(official=fresh_city, start=dt.date(2027, 3, 2), end=dt.date(2028, 2, 29))
    visit = cycle.visits.filter(start__gte=seoul(2027, 6, 1)).order_by("start").first()
    when = visit.start.astimezone(SEOUL).date()
    rule_day = next(d for d in meeting_days_sync(start=when, end=when + dt.timedelta(days=40)) if not d.is_cancelled)
    with time_machine.travel(seoul(2027, 1, 4, 9), tick=False):
        meeting_day_move(
            day=rule_day, new_start=seoul(when.year, when.month, when.day, 14), reason="행사", actor=secretariat_user
        )

    changes = cycle_replan_preview(cycle=cycle, from_date=dt.date(2027, 3, 2))

    new_dates = {new.astimezone(SEOUL).date() for _visit, _old, new in changes}
    assert when not in new_dates
    assert not new_dates & meeting_days_between(dt.date(2027, 3, 2), dt.date(2028, 2, 29))


def test_visits_and_the_core_ask_for_the_meeting_days_without_importing_meetings():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    for app, forbidden in (("visits", {"meetings"}), ("scheduling", {"meetings", "visits"})):
        for path in (root / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                assert not {name.split(".")[0] for name in names} & forbidden, (path, names)
