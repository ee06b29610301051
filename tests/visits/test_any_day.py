"""The date-sensitive visit and card flows, run "today" on every awkward day
of ``tests/awkward_days.py`` (the clock pinned there with ``pinned_today``):
the rotation planned from today, a suggestion's first-answer deadline and
the overdue rule, and the purge of a resident's contact, checked against
the working-day oracle of awkward_days.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from schedule.models import Event

from meetings.services.series import meeting_days_sync, series_get_or_create
from tests.awkward_days import (
    holiday_name,
    is_working_day,
    nth_working_day,
    on_awkward_days,
    retention_over,
)
from visits.cards import notifications as card_notifications
from visits.cards import selectors as card_selectors
from visits.rotation.planner import PlannerRules
from visits.rotation.services import rotation_plan
from visits.tasks import purge_contacts

pytestmark = [pytest.mark.django_db, on_awkward_days]


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


# --- The rotation planner ---------------------------------------------------------------


def test_a_rotation_planned_from_today_never_visits_on_a_day_off_a_meeting_day_or_a_busy_time(pinned_today, city):
    mayor = city["mayor"]
    end = pinned_today + dt.timedelta(days=181)
    # The real meeting-day series, its holiday moves included (Chuseok 2030
    # puts one on a Monday).
    series_get_or_create(official=mayor)
    meeting_days = {
        _local(day.start).date() for day in meeting_days_sync(start=pinned_today, end=end) if not day.is_cancelled
    }
    # The mayor is away for the first two working weeks.
    first = nth_working_day(pinned_today + dt.timedelta(days=1), 1)
    away_until = nth_working_day(first, 10)
    away = Event.objects.create(
        calendar=mayor.calendar,
        title="해외 출장",
        start=dt.datetime.combine(first, dt.time(0), tzinfo=timezone.get_current_timezone()),
        end=dt.datetime.combine(away_until, dt.time(23, 59), tzinfo=timezone.get_current_timezone()),
    )

    cycle, _planned = rotation_plan(
        official=mayor, start=pinned_today, end=end, rules=PlannerRules(weekdays=(1, 2, 3, 4, 5))
    )

    visits = list(cycle.visits.select_related("neighborhood"))
    assert sorted(v.neighborhood.code for v in visits) == sorted(city["neighborhoods"])  # each exactly once
    weeks = set()
    for visit in visits:
        day = _local(visit.start).date()
        assert pinned_today <= day <= end
        assert is_working_day(day), (visit, holiday_name(day))
        assert day not in meeting_days, visit
        assert not (away.start < visit.end and visit.start < away.end), visit
        weeks.add(day.isocalendar()[:2])
    assert len(weeks) == len(visits), "one visit a week at most"
    priority = [v for v in visits if v.neighborhood.is_priority]
    others = [v for v in visits if not v.neighborhood.is_priority]
    assert max(v.start for v in priority) < min(v.start for v in others), "the priority areas first"


def test_a_plan_made_today_puts_no_visit_in_the_part_of_today_that_is_over(pinned_today, city):
    """Six neighborhoods in two weeks, up to five a week: the planner takes
    the first free days, today's included if it is one."""
    end = pinned_today + dt.timedelta(days=20)
    cycle, _planned = rotation_plan(
        official=city["mayor"],
        start=pinned_today,
        end=end,
        rules=PlannerRules(weekdays=(1, 2, 3, 4, 5), max_per_week=5),
    )
    now = timezone.now()
    for visit in cycle.visits.all():
        assert visit.start > now, visit
        assert is_working_day(_local(visit.start).date())


# --- Management cards: the first answer and the overdue rule ----------------------------


@pytest.fixture
def roads_inbox(card_org):
    department = card_org["departments"]["roads"]
    card_org["users"]["roads_staff"].email = "roads@example.kr"
    card_org["users"]["roads_staff"].save()
    return department


def _inbox(department) -> dict[int, object]:
    return {row.pk: row for row in card_selectors.department_inbox(department)}


def test_a_late_first_answer_is_overdue_from_the_day_after_its_working_day_deadline(
    pinned_today, pinned_clock, suggestion_at, roads_inbox
):
    assert settings.SUGGESTION_FIRST_ANSWER_DAYS == 14
    suggestion = suggestion_at("assigned")  # assigned today
    due = suggestion.first_answer_due
    # Fourteen working days, the day of assignment counted if it is one.
    assert due == nth_working_day(pinned_today, 14)
    assert is_working_day(due)
    assert not _inbox(roads_inbox)[suggestion.pk].is_overdue

    pinned_clock.move_to(dt.datetime.combine(due, dt.time(17, 59), tzinfo=timezone.get_current_timezone()))
    assert not _inbox(roads_inbox)[suggestion.pk].is_late_answer  # due today: not late yet
    pinned_clock.move_to(
        dt.datetime.combine(due + dt.timedelta(days=1), dt.time(0, 1), tzinfo=timezone.get_current_timezone())
    )
    row = _inbox(roads_inbox)[suggestion.pk]
    assert row.is_overdue and row.is_late_answer
    assert card_notifications.overdue_suggestions_remind() == 1
    assert suggestion.title in mail.outbox[-1].body


def test_a_suggestion_untouched_for_the_stale_period_becomes_overdue_not_a_moment_before(
    pinned_today, pinned_clock, suggestion_at, roads_inbox
):
    suggestion = suggestion_at("joint_review")  # the department answered: no deadline left, only the stale rule
    touched = suggestion.last_activity_at
    stale_at = touched + dt.timedelta(days=settings.SUGGESTION_STALE_DAYS)

    pinned_clock.move_to(stale_at - dt.timedelta(minutes=1))
    assert not _inbox(roads_inbox)[suggestion.pk].is_overdue
    assert card_notifications.overdue_suggestions_remind() == 0

    pinned_clock.move_to(stale_at + dt.timedelta(minutes=1))
    row = _inbox(roads_inbox)[suggestion.pk]
    assert row.is_overdue and row.is_stale and not row.is_late_answer
    assert card_notifications.overdue_suggestions_remind() == 1
    assert suggestion.title in mail.outbox[-1].body


# --- The purge of a resident's contact --------------------------------------------------


def test_a_residents_contact_is_purged_when_the_retention_period_is_over(pinned_today, pinned_clock, suggestion_at):
    suggestion = suggestion_at("not_feasible", contact_phone="010-5555-7777", contact_consent=True)  # closed now
    over = retention_over(suggestion.last_activity_at, settings.MEETING_RETENTION_YEARS)

    pinned_clock.move_to(over - dt.timedelta(seconds=1))
    assert purge_contacts() == 0
    suggestion.refresh_from_db()
    assert suggestion.contact_phone == "010-5555-7777"

    pinned_clock.move_to(over)
    assert purge_contacts() == 1
    suggestion.refresh_from_db()
    assert (suggestion.contact_phone, suggestion.status) == ("", "not_feasible")
