"""The rotation services: saving a plan, moving a visit, its status,
re-planning and progress, on the small city of ``conftest``."""

import datetime as dt
import re

import pytest
from schedule.models import Calendar, Event

from scheduling.errors import TongtongError
from scheduling.models import CityClosure, Neighborhood, Official
from scheduling.workdays import working_calendar
from tests.visits.conftest import WINDOW, seoul
from visits.errors import VisitConflict
from visits.models import BlackoutPeriod, FieldVisit, RotationCycle
from visits.rotation import services
from visits.rotation.selectors import cycle_progress, visits_in_month
from visits.rotation.services import (
    cycle_accept,
    cycle_replan_apply,
    cycle_replan_preview,
    planner_input_for,
    rotation_plan,
    visit_move,
    visit_set_status,
)

# The plans here are of fixed windows in 2027–2028, planned from before
# them: planning reads "now" (the part of today that is over is busy).
pytestmark = pytest.mark.usefixtures("pinned_today")


def plan_window(city, **kwargs):
    return rotation_plan(official=city["mayor"], start=WINDOW[0], end=WINDOW[1], **kwargs)


def snapshot():
    """What a user would see of the saved plan."""
    return {
        "cycles": RotationCycle.objects.count(),
        "visits": sorted(
            FieldVisit.objects.values_list("neighborhood__code", "start", "end", "status", "sequence", "plan_reason")
        ),
        "events": sorted(Event.objects.values_list("calendar__slug", "title", "start", "end")),
    }


def nothing_saved():
    return not RotationCycle.objects.exists() and not FieldVisit.objects.exists() and not Event.objects.exists()


def free_day_in_week_of(day: dt.date, *, besides: dt.date) -> dt.date:
    """A working Tuesday–Friday in ``day``'s week other than ``besides``
    (no meeting days in the tests that use it)."""
    monday = day - dt.timedelta(days=day.weekday())
    calendar = working_calendar(monday, monday + dt.timedelta(days=6))
    for offset in range(1, 5):
        candidate = monday + dt.timedelta(days=offset)
        if candidate != besides and calendar.is_working_day(candidate):
            return candidate
    raise AssertionError(f"no free day in the week of {day}")


def at_ten(day: dt.date) -> dt.datetime:
    return seoul(day.year, day.month, day.day, 10)


# --- Saving a plan --------------------------------------------------------------


def test_saving_creates_one_visit_per_neighborhood_with_two_events(city):
    cycle, planned = plan_window(city)

    assert cycle.status == RotationCycle.Status.DRAFT
    visits = list(cycle.visits.select_related("neighborhood", "event__calendar", "official_event__calendar"))
    assert sorted(v.neighborhood.code for v in visits) == ["N01", "N02", "N03", "N04", "N05", "N06"]
    assert len(planned) == 6
    for visit in visits:
        assert visit.event.calendar.slug == "field-visits"
        assert visit.official_event.calendar == city["mayor"].calendar
        assert visit.event.start == visit.official_event.start == visit.start
        assert visit.neighborhood.name in visit.event.title
        assert visit.plan_reason
        assert WINDOW[0] <= visit.start.astimezone(services.SEOUL).date() <= WINDOW[1]
    assert Event.objects.count() == 12
    assert {v.neighborhood.code for v in visits if v.is_priority} == {"N02", "N03", "N04"}


def test_planning_twice_changes_nothing(city):
    first, _planned = plan_window(city)
    before = snapshot()

    again, _planned = plan_window(city)

    assert again.pk == first.pk
    assert snapshot() == before


def test_dry_run_saves_nothing(city):
    cycle, planned = plan_window(city, dry_run=True)

    assert cycle is None
    assert len(planned) == 6
    assert nothing_saved()


def test_planner_input_gathers_days_off_meeting_days_and_busy_times(city, meeting_series):
    mayor = city["mayor"]
    CityClosure.objects.create(date=dt.date(2027, 4, 14), name="시 개청 기념일")
    Event.objects.create(
        calendar=mayor.calendar, title="예산 회의", start=seoul(2027, 3, 17, 10, 30), end=seoul(2027, 3, 17, 11, 30)
    )
    cycle, _planned = plan_window(city)

    data = planner_input_for(cycle=cycle, official=mayor, start=WINDOW[0], end=WINDOW[1])

    assert data.days_off[dt.date(2027, 5, 5)] == "어린이날"
    assert data.days_off[dt.date(2027, 4, 14)] == "시 개청 기념일"
    assert {dt.date(2027, 3, 11), dt.date(2027, 3, 25), dt.date(2027, 4, 8)} <= data.meeting_days
    # Thursdays, but Thu 2027-05-13 (Buddha's Birthday) moves to the next working day.
    assert {day for day in data.meeting_days if day.isoweekday() != 4} == {dt.date(2027, 5, 14)}
    assert dt.date(2027, 5, 13) not in data.meeting_days
    # The mayor's meeting is busy; the cycle's own visits do not block re-planning.
    assert data.busy == ((dt.datetime(2027, 3, 17, 10, 30), dt.datetime(2027, 3, 17, 11, 30)),)
    assert {n.code for n in data.neighborhoods} == set(city["neighborhoods"])


def test_the_plan_avoids_meeting_days_days_off_and_busy_times(city, meeting_series):
    mayor = city["mayor"]
    Event.objects.create(
        calendar=mayor.calendar, title="예산 회의", start=seoul(2027, 3, 16, 9), end=seoul(2027, 3, 31, 18)
    )
    cycle, _planned = plan_window(city)

    meeting_days = services.meeting_days_between(*WINDOW)
    calendar = working_calendar(*WINDOW)
    for visit in cycle.visits.all():
        day = visit.start.astimezone(services.SEOUL).date()
        assert calendar.is_working_day(day)
        assert day not in meeting_days
        assert not dt.date(2027, 3, 16) <= day <= dt.date(2027, 3, 31)


# --- Bad input ------------------------------------------------------------------


def test_a_window_too_short_is_refused_and_nothing_saved(city):
    with pytest.raises(TongtongError) as error:
        rotation_plan(official=city["mayor"], start=dt.date(2027, 3, 2), end=dt.date(2027, 3, 19))

    assert "2027-03-02" in str(error.value)
    assert "6" in str(error.value)  # the neighborhoods that do not fit
    assert nothing_saved()


def test_a_window_without_a_working_day_is_refused(city):
    # Seollal 2027: Sat 6 to Tue 9 February (with the substitute holiday).
    with pytest.raises(TongtongError) as error:
        rotation_plan(official=city["mayor"], start=dt.date(2027, 2, 6), end=dt.date(2027, 2, 9))

    assert "2027-02-06" in str(error.value)
    assert nothing_saved()


def _six_working_days_from_today(city, today):
    """Six neighborhoods on the six working days from Tue 17 to Tue 24 November 2026."""
    from visits.rotation.planner import PlannerRules

    return rotation_plan(
        official=city["mayor"],
        start=today,
        end=dt.date(2026, 11, 24),
        rules=PlannerRules(weekdays=(1, 2, 3, 4, 5), max_per_week=5),
        dry_run=True,
    )


@pytest.mark.parametrize("pinned_today", [seoul(2026, 11, 17, 9, 59)], ids=["09-59"], indirect=True)
def test_a_plan_made_before_the_visiting_hours_may_start_this_morning(city, pinned_today):
    _cycle, planned = _six_working_days_from_today(city, pinned_today)
    assert min(p.start for p in planned) == dt.datetime(2026, 11, 17, 10)


@pytest.mark.parametrize("pinned_today", [seoul(2026, 11, 17, 10, 30)], ids=["10-30"], indirect=True)
def test_a_plan_made_once_they_began_puts_no_visit_this_morning(city, pinned_today):
    with pytest.raises(TongtongError, match="2026"):  # one day short now
        _six_working_days_from_today(city, pinned_today)


def test_a_window_ending_before_it_starts_is_refused(city):
    with pytest.raises(TongtongError, match=re.escape("2027. 3. 2.")):
        rotation_plan(official=city["mayor"], start=dt.date(2027, 3, 2), end=dt.date(2027, 3, 1))
    assert nothing_saved()


def test_an_unknown_neighborhood_is_named(city):
    with pytest.raises(TongtongError, match="X99"):
        planner_input_for(official=city["mayor"], start=WINDOW[0], end=WINDOW[1], neighborhoods=["N01", "X99"])


def test_an_official_without_a_calendar_is_named_and_nothing_saved(city):
    mayor = city["mayor"]
    calendar = mayor.calendar
    # The calendar row is gone from under the official (PROTECT stops the ORM).
    Calendar.objects.filter(pk=calendar.pk)._raw_delete(Calendar.objects.db)
    mayor = Official.objects.get(pk=mayor.pk)

    with pytest.raises(TongtongError, match="김시장"):
        plan_window(city | {"mayor": mayor})

    assert nothing_saved()
    calendar.save(force_insert=True)  # put it back for the database's integrity check


def test_a_failure_half_way_saves_nothing(city, monkeypatch):
    calls = []
    real = services._sync_events

    def failing(visit, actor=None):
        calls.append(visit)
        if len(calls) == 4:
            raise TongtongError("disk full")
        real(visit, actor)

    monkeypatch.setattr(services, "_sync_events", failing)
    with pytest.raises(TongtongError, match="disk full"):
        plan_window(city)

    assert nothing_saved()


# --- Accepting ------------------------------------------------------------------


def test_accepting_a_plan(city, secretariat_user):
    cycle, _planned = plan_window(city)

    cycle = cycle_accept(cycle=cycle, actor=secretariat_user)

    assert cycle.status == RotationCycle.Status.ACCEPTED
    assert cycle.accepted_by == secretariat_user
    with pytest.raises(TongtongError):
        cycle_accept(cycle=cycle, actor=secretariat_user)
    # The command does not silently re-plan an accepted rotation.
    with pytest.raises(TongtongError, match=cycle.name):
        plan_window(city)


# --- Moving a visit -------------------------------------------------------------


def visits_by_date(cycle):
    return list(cycle.visits.select_related("neighborhood", "event", "official_event").order_by("start"))


def local_day(visit):
    return visit.start.astimezone(services.SEOUL).date()


def test_moving_a_visit_moves_both_events(city, secretariat_user):
    cycle, _planned = plan_window(city)
    visit = visits_by_date(cycle)[0]
    target = free_day_in_week_of(local_day(visit), besides=local_day(visit))

    moved = visit_move(visit=visit, start=at_ten(target), actor=secretariat_user)

    moved.refresh_from_db()
    assert local_day(moved) == target
    assert moved.end - moved.start == visit.end - visit.start
    assert moved.sequence == visit.sequence + 1
    assert moved.event.start == moved.official_event.start == at_ten(target)


def test_moving_onto_a_meeting_day_is_refused(city, meeting_series, secretariat_user):
    cycle, _planned = plan_window(city)
    visit = visits_by_date(cycle)[0]

    with pytest.raises(VisitConflict) as error:
        visit_move(visit=visit, start=seoul(2027, 3, 11, 10), actor=secretariat_user)

    assert "2027. 3. 11.(목)" in str(error.value)
    assert "TongTong" in str(error.value) or "통통데이" in str(error.value)
    assert FieldVisit.objects.get(pk=visit.pk).start == visit.start


@pytest.mark.parametrize(
    ("day", "named"),
    [((2027, 5, 5), "어린이날"), ((2027, 3, 13), ("토요일", "Saturday")), ((2027, 4, 14), "시 개청 기념일")],
)
def test_moving_onto_a_day_off_is_refused(city, secretariat_user, day, named):
    CityClosure.objects.create(date=dt.date(2027, 4, 14), name="시 개청 기념일")
    cycle, _planned = plan_window(city)
    visit = visits_by_date(cycle)[0]

    with pytest.raises(VisitConflict) as error:
        visit_move(visit=visit, start=seoul(*day, 10), actor=secretariat_user)

    names = named if isinstance(named, tuple) else (named,)
    assert any(name in str(error.value) for name in names)


def test_moving_onto_a_busy_time_is_refused(city, secretariat_user):
    cycle, _planned = plan_window(city)
    visit = visits_by_date(cycle)[0]
    target = free_day_in_week_of(local_day(visit), besides=local_day(visit))
    Event.objects.create(
        calendar=city["mayor"].calendar,
        title="예산 회의",
        start=at_ten(target) + dt.timedelta(minutes=30),
        end=at_ten(target) + dt.timedelta(minutes=90),
    )

    with pytest.raises(VisitConflict, match="예산 회의"):
        visit_move(visit=visit, start=at_ten(target), actor=secretariat_user)

    # The afternoon is free.
    visit_move(visit=visit, start=at_ten(target) + dt.timedelta(hours=4), actor=secretariat_user)


def test_moving_into_the_week_of_another_visit_is_refused(city, secretariat_user):
    cycle, _planned = plan_window(city)
    first, second = visits_by_date(cycle)[:2]
    target = free_day_in_week_of(local_day(second), besides=local_day(second))

    with pytest.raises(VisitConflict, match=second.neighborhood.name):
        visit_move(visit=first, start=at_ten(target), actor=secretariat_user)


def test_moving_into_a_blackout_is_refused(city, secretariat_user):
    cycle, _planned = plan_window(city)
    visit = visits_by_date(cycle)[0]
    target = free_day_in_week_of(local_day(visit), besides=local_day(visit))
    BlackoutPeriod.objects.create(cycle=cycle, start=target, end=target, reason="보궐선거")

    with pytest.raises(VisitConflict, match="보궐선거"):
        visit_move(visit=visit, start=at_ten(target), actor=secretariat_user)


def test_a_held_visit_does_not_move(city, secretariat_user):
    cycle, _planned = plan_window(city)
    visit = visits_by_date(cycle)[0]
    visit_set_status(visit=visit, status="held", reason="", actor=secretariat_user)

    with pytest.raises(VisitConflict):
        visit_move(visit=visit, start=at_ten(local_day(visit) + dt.timedelta(days=1)), actor=secretariat_user)


# --- Status ---------------------------------------------------------------------


def test_a_held_visit_becomes_the_neighborhoods_last_visit(city, secretariat_user):
    cycle, _planned = plan_window(city)
    visit = cycle.visits.get(neighborhood__code="N05")

    visit_set_status(visit=visit, status="held", reason="", actor=secretariat_user)

    assert Neighborhood.objects.get(code="N05").last_visited_on == local_day(visit)


def test_postponing_needs_a_reason_and_frees_the_officials_time(city, secretariat_user):
    cycle, _planned = plan_window(city)
    visit = cycle.visits.first()

    with pytest.raises(TongtongError):
        visit_set_status(visit=visit, status="postponed", reason=" ", actor=secretariat_user)
    assert FieldVisit.objects.get(pk=visit.pk).status == "planned"

    visit = visit_set_status(visit=visit, status="postponed", reason="태풍 북상", actor=secretariat_user)
    assert (visit.status, visit.status_reason) == ("postponed", "태풍 북상")
    assert visit.official_event is None
    assert Event.objects.count() == 10


# --- Re-planning ----------------------------------------------------------------


def test_replanning_never_moves_held_visits_and_covers_every_neighborhood_once(city, secretariat_user):
    cycle, _planned = plan_window(city)
    first, second, third = visits_by_date(cycle)[:3]
    visit_set_status(visit=first, status="held", reason="", actor=secretariat_user)
    visit_set_status(visit=third, status="held", reason="", actor=secretariat_user)
    visit_set_status(visit=second, status="cancelled", reason="폭우", actor=secretariat_user)
    before = snapshot()
    from_date = local_day(third) + dt.timedelta(days=1)

    preview = cycle_replan_preview(cycle=cycle, from_date=from_date)

    assert snapshot() == before  # a preview saves nothing
    assert {visit.pk for visit, _old, _new in preview} == set(
        cycle.visits.exclude(status="held").values_list("pk", flat=True)
    )
    assert all(new.astimezone(services.SEOUL).date() >= from_date for _visit, _old, new in preview)

    changes = cycle_replan_apply(cycle=cycle, from_date=from_date, actor=secretariat_user)

    assert [(v.pk, new) for v, _old, new in changes] == [(v.pk, new) for v, _old, new in preview]
    for held in (first, third):
        assert FieldVisit.objects.get(pk=held.pk).start == held.start
    visits = list(cycle.visits.select_related("neighborhood"))
    assert sorted(v.neighborhood.code for v in visits) == sorted(city["neighborhoods"])
    assert {v.status for v in visits} == {"planned", "held"}
    second = FieldVisit.objects.get(pk=second.pk)
    assert second.status == "planned" and local_day(second) >= from_date
    assert second.event is not None and second.official_event is not None
    weeks = [local_day(v).isocalendar()[:2] for v in visits]
    assert len(weeks) == len(set(weeks))  # still at most one a week


# --- Selectors ------------------------------------------------------------------


def test_progress_counts_per_year(city, secretariat_user):
    cycle, _planned = rotation_plan(official=city["mayor"], start=dt.date(2027, 3, 2), years=2)
    first = visits_by_date(cycle)[0]
    visit_set_status(visit=first, status="held", reason="", actor=secretariat_user)

    progress = cycle_progress(cycle)

    assert (progress.overall.total, progress.overall.held, progress.overall.planned) == (6, 1, 5)
    assert [(year.start, year.end) for year in progress.years] == [
        (dt.date(2027, 3, 2), dt.date(2028, 3, 1)),
        (dt.date(2028, 3, 2), dt.date(2029, 3, 1)),
    ]
    assert [year.total for year in progress.years] == [3, 3]
    assert [year.held for year in progress.years] == [1, 0]


def test_visits_in_month(city):
    cycle, _planned = plan_window(city)
    visit = visits_by_date(cycle)[0]
    day = local_day(visit)

    month = list(visits_in_month(cycle, day.year, day.month))

    assert visit in month
    assert all(local_day(v).month == day.month for v in month)
    assert sum(len(visits_in_month(cycle, 2027, m)) for m in range(1, 13)) == 6


def test_meeting_days_follow_moves_and_cancellations(city, meeting_series, secretariat_user):
    import time_machine

    from meetings.services.series import meeting_day_cancel, meeting_day_move, meeting_days_sync

    cancelled, moved = meeting_days_sync(start=dt.date(2027, 3, 1), end=dt.date(2027, 3, 31))
    with time_machine.travel(seoul(2027, 1, 4, 9), tick=False):
        meeting_day_cancel(day=cancelled, reason="시장 해외 출장", actor=secretariat_user)
        meeting_day_move(day=moved, new_start=moved.start + dt.timedelta(days=1), reason="행사", actor=secretariat_user)

    days = services.meeting_days_between(dt.date(2027, 3, 1), dt.date(2027, 3, 31))

    assert days == {dt.date(2027, 3, 26)}  # 11 cancelled, 25 moved to Friday 26


def test_planning_again_never_moves_a_held_visit(city, secretariat_user):
    cycle, _planned = plan_window(city)
    held = visits_by_date(cycle)[2]
    visit_set_status(visit=held, status="held", reason="", actor=secretariat_user)

    again, planned = plan_window(city)

    assert again.pk == cycle.pk
    assert held.neighborhood.code not in {p.neighborhood for p in planned}
    assert FieldVisit.objects.get(pk=held.pk).start == held.start
    assert FieldVisit.objects.get(pk=held.pk).status == "held"
    assert cycle.visits.count() == 6
