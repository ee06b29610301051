"""The visits panels of the staff dashboard: overdue suggestions as each
role may see them, and the rotation's progress, in a constant number of
queries."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scheduling.models import Neighborhood
from tests.visits.conftest import SEOUL
from visits.dashboard import overdue_suggestions_context, rotation_progress_context
from visits.models import FieldVisit, RotationCycle, Suggestion

pytestmark = pytest.mark.django_db


def _stale(suggestion, days_more: int = 1):
    """No activity for longer than the stale limit."""
    moment = timezone.now() - dt.timedelta(days=settings.SUGGESTION_STALE_DAYS + days_more)
    Suggestion.objects.filter(pk=suggestion.pk).update(last_activity_at=moment)


def _late_answer(suggestion, days: int):
    Suggestion.objects.filter(pk=suggestion.pk).update(first_answer_due=timezone.localdate() - dt.timedelta(days=days))


# --- Overdue suggestions -----------------------------------------------------------------


def test_overdue_suggestions_longest_late_first_with_the_reason(card_org, suggestion_at):
    users = card_org["users"]
    late_long = suggestion_at("assigned", title="보도블록 교체")
    late_short = suggestion_at("assigned", title="가로등 설치")
    stale = suggestion_at("budgeted", title="쉼터 조성")
    on_time = suggestion_at("assigned", title="제때 처리")
    done = suggestion_at("completed", title="완료된 일")
    _late_answer(late_long, 10)
    _late_answer(late_short, 2)
    _stale(stale)
    _stale(done)

    context = overdue_suggestions_context(users["secretariat"])
    assert [row.suggestion for row in context["rows"]] == [late_long, late_short, stale]
    assert [row.is_late_answer for row in context["rows"]] == [True, True, False]
    assert context["total"] == 3

    html = render_to_string("visits/dashboard_overdue.html", context)
    assert on_time.title not in html and done.title not in html
    assert f'href="/staff/cards/suggestions/{late_long.pk}/"' in html
    assert html.index("보도블록 교체") < html.index("가로등 설치") < html.index("쉼터 조성")
    assert 'href="/staff/cards/board/"' in html


def test_department_staff_see_only_their_departments_overdue_suggestions(card_org, suggestion_at):
    users = card_org["users"]
    roads = suggestion_at("assigned", title="도로 건", department="roads")
    parks = suggestion_at("assigned", title="공원 건", department="parks")
    _late_answer(roads, 3)
    _late_answer(parks, 3)

    context = overdue_suggestions_context(users["roads_staff"])
    assert [row.suggestion for row in context["rows"]] == [roads] and context["total"] == 1
    html = render_to_string("visits/dashboard_overdue.html", context)
    assert "공원 건" not in html
    assert 'href="/staff/cards/inbox/"' in html and 'href="/staff/cards/board/"' not in html

    parks_context = overdue_suggestions_context(users["parks_staff"])
    assert [row.suggestion for row in parks_context["rows"]] == [parks]
    assert overdue_suggestions_context(users["secretariat"])["total"] == 2


def test_only_five_are_listed_but_all_are_counted(card_org, suggestion_at):
    for index in range(7):
        _late_answer(suggestion_at("assigned", title=f"건의 {index}"), 20 - index)
    context = overdue_suggestions_context(card_org["users"]["budget_staff"])
    assert context["total"] == 7
    assert [row.suggestion.title for row in context["rows"]] == [f"건의 {i}" for i in range(5)]


def test_no_overdue_suggestion_says_so(card_org, suggestion_at):
    suggestion_at("assigned")
    context = overdue_suggestions_context(card_org["users"]["secretariat"])
    assert context["rows"] == [] and context["total"] == 0
    assert render_to_string("visits/dashboard_overdue.html", context)


def test_the_overdue_panel_runs_the_same_queries_for_5_or_50_suggestions(card_org, suggestion_at):
    secretariat, roads_staff = card_org["users"]["secretariat"], card_org["users"]["roads_staff"]

    def add(count):
        for index in range(count):
            suggestion = suggestion_at("assigned", title=f"건의 {index}")
            _late_answer(suggestion, 1 + index % 9) if index % 2 else _stale(suggestion)

    def count(user):
        overdue_suggestions_context(user)  # warm: the user's groups and profile are loaded once
        with CaptureQueriesContext(connection) as queries:
            context = overdue_suggestions_context(user)
        return len(queries), context

    add(5)
    few = {user.pk: count(user)[0] for user in (secretariat, roads_staff)}
    add(45)
    for user in (secretariat, roads_staff):
        many, context = count(user)
        assert context["total"] == 50 and len(context["rows"]) == 5
        assert many == few[user.pk], (user, few[user.pk], many)
        assert many <= 6


# --- Rotation progress ---------------------------------------------------------------------


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SEOUL)


def _cycle(city, *, status=RotationCycle.Status.ACCEPTED, start=None, years=2, name="동방문 주기"):
    start = start or timezone.localdate() - dt.timedelta(days=200)
    return RotationCycle.objects.create(
        name=name,
        official=city["mayor"],
        start=start,
        end=start + dt.timedelta(days=365 * years - 1),
        status=status,
    )


def _visit(cycle, neighborhood, day, status=FieldVisit.Status.PLANNED):
    return FieldVisit.objects.create(
        cycle=cycle,
        neighborhood=neighborhood,
        official=cycle.official,
        start=_at(day),
        end=_at(day, 11),
        status=status,
        status_reason="" if status in ("planned", "held") else "우천",
    )


def test_the_rotation_panel_counts_held_against_the_plan_by_year(city):
    today = timezone.localdate()
    cycle = _cycle(city, start=today - dt.timedelta(days=100))
    hoods = list(city["neighborhoods"].values())
    held = FieldVisit.Status.HELD
    _visit(cycle, hoods[0], today - dt.timedelta(days=80), held)
    _visit(cycle, hoods[1], today - dt.timedelta(days=50), held)
    _visit(cycle, hoods[2], today - dt.timedelta(days=20), FieldVisit.Status.POSTPONED)  # behind the plan
    upcoming = _visit(cycle, hoods[3], today + dt.timedelta(days=10))
    _visit(cycle, hoods[4], today + dt.timedelta(days=40))
    _visit(cycle, hoods[5], today + dt.timedelta(days=400))  # the cycle's second year
    _cycle(city, status=RotationCycle.Status.DRAFT, start=today - dt.timedelta(days=10), name="초안")

    context = rotation_progress_context(None)
    assert context["cycle"] == cycle
    assert (context["overall"].held, context["overall"].total) == (2, 6)
    assert [(y.held, y.planned, y.other, y.total) for y in context["years"]] == [(2, 2, 1, 5), (0, 1, 0, 1)]
    assert (context["due_by_now"], context["behind"]) == (3, 1)
    assert context["next_visit"] == upcoming
    assert context["next_url"] == f"/staff/visits/cycles/{cycle.pk}/visits/{upcoming.pk}/"

    html = render_to_string("visits/dashboard_rotation.html", context)
    assert f'href="/staff/visits/cycles/{cycle.pk}/"' in html
    assert hoods[3].name in html and '<progress value="2" max="6"' in html


def test_a_closed_or_finished_cycle_is_not_current_and_the_next_accepted_one_is(city):
    today = timezone.localdate()
    _cycle(city, start=today - dt.timedelta(days=1000), name="지난 주기")
    _cycle(city, status=RotationCycle.Status.CLOSED, start=today - dt.timedelta(days=30), name="닫힌 주기")
    upcoming = _cycle(city, start=today + dt.timedelta(days=30), name="다음 주기")
    context = rotation_progress_context(None)
    assert context["cycle"] == upcoming and not context["has_started"]
    assert context["overall"].total == 0 and context["next_visit"] is None
    assert render_to_string("visits/dashboard_rotation.html", context)


def test_no_accepted_cycle_says_so(city):
    _cycle(city, status=RotationCycle.Status.DRAFT)
    context = rotation_progress_context(None)
    assert context["cycle"] is None
    assert 'href="/staff/visits/"' in render_to_string("visits/dashboard_rotation.html", context)


def test_the_rotation_panel_runs_the_same_queries_for_5_or_50_visits(city):
    today = timezone.localdate()
    cycle = _cycle(city, start=today - dt.timedelta(days=300))
    hoods = [Neighborhood.objects.create(code=f"X{index:02d}", name=f"시험{index}동") for index in range(50)]

    def add(indexes):
        for index in indexes:
            day = today + dt.timedelta(days=7 * index - 140)
            status = FieldVisit.Status.HELD if day < today else FieldVisit.Status.PLANNED
            _visit(cycle, hoods[index], day, status)

    def count():
        with CaptureQueriesContext(connection) as queries:
            context = rotation_progress_context(None)
        return len(queries), context

    add(range(5))
    few, context = count()
    assert context["overall"].total == 5
    add(range(5, 50))
    many, context = count()
    assert (context["overall"].held, context["overall"].total) == (20, 50)
    assert few == many, (few, many)
    assert many <= 6  # the cycle, its two years and the whole, the visits due, the next visit
