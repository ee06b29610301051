"""The field-visit and management-card figures of the reports
(visits/reports.py), checked against a month counted by hand.

THE MONTH: October 2025, the report made on Mon 3 Nov 2025 10:00 (``NOW``),
with suggestions overdue after 30 days without activity.

Rotation plans of the mayor:
  A accepted, 2025-07-01 – 2027-06-30:
     V1 중앙동 Tue 14 Oct held (30 residents; suggestions S1 and S2 heard)
     V2 산성동 Wed 22 Oct postponed      V3 송림동 Tue 28 Oct cancelled
     V4 하늘동 Wed 29 Oct still planned  V5 강변동 Tue 16 Sep held
     V6 새솔동 Tue 4 Nov still planned
  B draft, 2025-10-01 – 2027-09-30: 중앙동 Wed 15 Oct (a draft: not counted)
  C closed, 2024-07-01 – 2025-06-30: 새솔동 Tue 11 Mar 2025 held
Themed tours: T1 Thu 2 Oct held, T2 Mon 20 Oct postponed, T3 Fri 5 Sep held.

Suggestions (created; status changes; lead department; status today):
  S1 14 Oct roads 중앙동: assigned 15 Oct, joint review 20 Oct, selected 27 Oct,
     budgeted 30 Oct (도로과) — budgeted
  S2 14 Oct parks 중앙동: assigned 15 Oct, joint review 17 Oct, long-term 21 Oct,
     back to joint review 24 Oct, selected 28 Oct (공원과) — selected
  S3 10 Sep roads 산성동: assigned 11 Sep, joint review 20 Sep, selected 25 Sep,
     budgeted 2 Oct, in progress 10 Oct, completed 31 Oct (도로과) — completed
  S4 Sun 5 Oct (Chuseok) welfare 산성동: assigned 6 Oct, joint review 15 Oct,
     not feasible 29 Oct (도로과) — not feasible
  S5 20 Oct roads 송림동: assigned 20 Oct, first answer due 31 Oct, nothing since
     (도로과) — assigned, overdue (late first answer)
  S6 1 Aug parks 중앙동: assigned 2 Aug, joint review 10 Aug, long-term 20 Aug,
     back to joint review 1 Sep, long-term 3 Sep; nothing since (공원과) —
     long-term, overdue (stale)
  S7 1 Jun roads 하늘동: completed 30 Jun, nothing since — completed (closed:
     never overdue)
  S8 Fri 31 Oct 23:30 welfare 송림동 — received
  S9 Sat 1 Nov 00:30 (Seoul; still 31 Oct in UTC) roads 중앙동 — received
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from scheduling.models import Department
from scheduling.reports.core import Period, report_sources
from visits import reports
from visits.models import FieldVisit, RotationCycle, Suggestion, SuggestionEvent, ThemedTour

from .conftest import seoul

NOW = seoul(2025, 11, 3, 10)
OCTOBER = Period(dt.date(2025, 10, 1), dt.date(2025, 11, 1), "2025년 10월", "2025-10")
EMPTY_MONTH = Period(dt.date(2025, 2, 1), dt.date(2025, 3, 1), "2025년 2월", "2025-02")
SECOND_HALF = Period(dt.date(2025, 7, 1), dt.date(2026, 1, 1), "2025년 하반기", "2025-H2")
YEAR_2025 = Period(dt.date(2025, 1, 1), dt.date(2026, 1, 1), "2025년", "2025")


def d(month, day, year=2025):
    return seoul(year, month, day, 10)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def stale_after_30_days(settings):
    settings.SUGGESTION_STALE_DAYS = 30


def cycle(city, status, start, end, name):
    return RotationCycle.objects.create(name=name, official=city["mayor"], start=start, end=end, status=status)


def visit(cycle, code, when, status=FieldVisit.Status.PLANNED, **fields):
    if status in (FieldVisit.Status.POSTPONED, FieldVisit.Status.CANCELLED):
        fields.setdefault("status_reason", "우천")
    return FieldVisit.objects.create(
        cycle=cycle,
        neighborhood=_neighborhood(code),
        official=cycle.official,
        start=when,
        end=when + dt.timedelta(hours=1),
        status=status,
        **fields,
    )


def _neighborhood(code):
    from scheduling.models import Neighborhood

    return Neighborhood.objects.get(code=code)


def tour(title, when, status):
    return ThemedTour.objects.create(
        title=title,
        group=ThemedTour.Group.SEASON,
        theme=ThemedTour.Theme.HEAT,
        official=_mayor(),
        start=when,
        end=when + dt.timedelta(hours=2),
        status=status,
        status_reason="" if status == ThemedTour.Status.HELD else "태풍",
    )


def _mayor():
    from scheduling.models import Official

    return Official.objects.get(rank=Official.Rank.MAYOR)


def suggestion(title, created, category, code, status, department=None, changes=(), **fields):
    """A suggestion created at ``created`` whose status changed along
    ``changes`` ((to_status, when), ...); its last activity is the last change
    (or its creation)."""
    last = changes[-1][1] if changes else created
    row = Suggestion.objects.create(
        title=title,
        neighborhood=_neighborhood(code),
        source=Suggestion.Source.FIELD_VISIT,
        category=category,
        status=status,
        lead_department=department,
        last_activity_at=last,
        decision_reason="예산 부족" if status == "not_feasible" else "",
        **fields,
    )
    Suggestion.objects.filter(pk=row.pk).update(created_at=created)
    SuggestionEvent.objects.create(
        suggestion=row, kind=SuggestionEvent.Kind.CREATED, to_status="received", created_at=created
    )
    previous = "received"
    for to_status, when in changes:
        SuggestionEvent.objects.create(
            suggestion=row,
            kind=SuggestionEvent.Kind.TRANSITION,
            from_status=previous,
            to_status=to_status,
            created_at=when,
        )
        previous = to_status
    # An opinion is not a status change: it never counts as a decision.
    SuggestionEvent.objects.create(
        suggestion=row, kind=SuggestionEvent.Kind.OPINION, to_status="selected", created_at=created
    )
    return row


@pytest.fixture
def october(city, stale_after_30_days):
    roads = Department.objects.create(code="roads", name="도로과")
    parks = Department.objects.create(code="parks", name="공원과")
    accepted = cycle(city, RotationCycle.Status.ACCEPTED, dt.date(2025, 7, 1), dt.date(2027, 6, 30), "A")
    draft = cycle(city, RotationCycle.Status.DRAFT, dt.date(2025, 10, 1), dt.date(2027, 9, 30), "B")
    closed = cycle(city, RotationCycle.Status.CLOSED, dt.date(2024, 7, 1), dt.date(2025, 6, 30), "C")
    v1 = visit(accepted, "N01", d(10, 14), FieldVisit.Status.HELD, attendance=30)
    visit(accepted, "N02", d(10, 22), FieldVisit.Status.POSTPONED)
    visit(accepted, "N03", d(10, 28), FieldVisit.Status.CANCELLED)
    visit(accepted, "N04", d(10, 29))
    visit(accepted, "N05", d(9, 16), FieldVisit.Status.HELD)
    visit(accepted, "N06", d(11, 4))
    visit(draft, "N01", d(10, 15))
    visit(closed, "N06", d(3, 11), FieldVisit.Status.HELD)
    tour("폭염 대비 현장", d(10, 2), ThemedTour.Status.HELD)
    tour("태풍 대비 현장", d(10, 20), ThemedTour.Status.POSTPONED)
    tour("여름철 취약계층", d(9, 5), ThemedTour.Status.HELD)

    suggestion(
        "S1",
        d(10, 14),
        "roads",
        "N01",
        "budgeted",
        roads,
        [("assigned", d(10, 15)), ("joint_review", d(10, 20)), ("selected", d(10, 27)), ("budgeted", d(10, 30))],
        visit=v1,
    )
    suggestion(
        "S2",
        d(10, 14),
        "parks",
        "N01",
        "selected",
        parks,
        [
            ("assigned", d(10, 15)),
            ("joint_review", d(10, 17)),
            ("long_term", d(10, 21)),
            ("joint_review", d(10, 24)),
            ("selected", d(10, 28)),
        ],
        visit=v1,
    )
    suggestion(
        "S3",
        d(9, 10),
        "roads",
        "N02",
        "completed",
        roads,
        [
            ("assigned", d(9, 11)),
            ("joint_review", d(9, 20)),
            ("selected", d(9, 25)),
            ("budgeted", d(10, 2)),
            ("in_progress", d(10, 10)),
            ("completed", d(10, 31)),
        ],
    )
    suggestion(
        "S4",
        d(10, 5),
        "welfare",
        "N02",
        "not_feasible",
        roads,
        [("assigned", d(10, 6)), ("joint_review", d(10, 15)), ("not_feasible", d(10, 29))],
    )
    suggestion(
        "S5",
        d(10, 20),
        "roads",
        "N03",
        "assigned",
        roads,
        [("assigned", d(10, 20))],
        first_answer_due=dt.date(2025, 10, 31),
    )
    suggestion(
        "S6",
        d(8, 1),
        "parks",
        "N01",
        "long_term",
        parks,
        [
            ("assigned", d(8, 2)),
            ("joint_review", d(8, 10)),
            ("long_term", d(8, 20)),
            ("joint_review", d(9, 1)),
            ("long_term", d(9, 3)),
        ],
    )
    suggestion("S7", d(6, 1), "roads", "N04", "completed", roads, [("completed", d(6, 30))])
    suggestion("S8", seoul(2025, 10, 31, 23, 30), "welfare", "N03", "received")
    suggestion("S9", seoul(2025, 11, 1, 0, 30), "roads", "N01", "received")
    return city


def figures(sections):
    return {figure.label: figure.value for section in sections for figure in section.figures}


def tables(sections):
    return {table.key: table for section in sections for table in section.tables}


def test_the_source_is_registered():
    source = {s.key: s for s in report_sources()}["visits"]
    assert source.order == 20
    assert (source.monthly, source.half_year, source.plan) == (
        reports.monthly_sections,
        reports.half_year_sections,
        reports.plan_sections,
    )


def test_monthly_figures_match_the_hand_count(october, english):
    sections = reports.monthly_sections(OCTOBER, now=NOW)
    assert [s.key for s in sections] == ["field_visits", "suggestions"]
    assert figures(sections) == {
        # Plan A's visits dated in October: V1 V2 V3 V4 (B is a draft).
        "Neighborhood visits planned": 4,
        "Neighborhood visits held": 1,  # V1
        "Neighborhood visits postponed": 1,  # V2
        "Neighborhood visits cancelled": 1,  # V3
        "Neighborhood visits still planned": 1,  # V4
        "Themed tours held": 1,  # T1 (T2 postponed, T3 in September)
        # Created in October (Seoul time): S1 S2 S4 S5 S8 (S9 is 1 Nov in Seoul).
        "Suggestions recorded": 5,
        # Decided in October: S1 (selected), S2 (long-term, then selected:
        # once), S4 (not feasible). S3 was selected in September.
        "Suggestions decided": 3,
        "Suggestions reflected in the budget": 2,  # S1 (30 Oct), S3 (2 Oct)
        "Suggestions completed": 1,  # S3 (31 Oct)
        # Overdue on 3 Nov: S5 (first answer due 31 Oct), S6 (nothing since
        # 3 Sep, over 30 days). S7 is as stale but completed.
        "Suggestions overdue today": 2,
    }


def test_monthly_tables_match_the_hand_count(october, english):
    by_key = tables(reports.monthly_sections(OCTOBER, now=NOW))
    assert list(by_key) == ["field_visits", "themed_tours", "suggestions_by_category", "suggestions_overdue"]
    visits = by_key["field_visits"].rows
    assert [row[:4] for row in visits] == [
        [dt.date(2025, 10, 14), "중앙동", "시장 김시장", "Held"],
        [dt.date(2025, 10, 22), "산성동", "시장 김시장", "Postponed"],
        [dt.date(2025, 10, 28), "송림동", "시장 김시장", "Cancelled"],
        [dt.date(2025, 10, 29), "하늘동", "시장 김시장", "Planned"],
    ]
    assert visits[0][4:] == [30, 2]  # residents attending, suggestions heard (S1, S2)
    assert [row[1] for row in by_key["themed_tours"].rows] == ["폭염 대비 현장", "태풍 대비 현장"]

    category = by_key["suggestions_by_category"]
    assert category.columns == ["Category", "Recorded", "Decided", "Reflected in the budget", "Completed"]
    # roads: recorded S1 S5, decided S1, budgeted S1 S3, completed S3
    # welfare: recorded S4 S8, decided S4
    # parks: recorded S2, decided S2
    assert category.rows == [
        ["Roads and facilities", 2, 1, 2, 1],
        ["Welfare", 2, 1, 0, 0],
        ["Parks", 1, 1, 0, 0],
    ]
    assert category.total == ["Total", 5, 3, 2, 1]
    assert by_key["suggestions_overdue"].rows == [["공원과", 1], ["도로과", 1]]
    assert by_key["suggestions_overdue"].total == ["Total", 2]


def test_a_month_with_no_data_has_zeros_and_the_same_tables(october, english):
    full = reports.monthly_sections(OCTOBER, now=NOW)
    empty = reports.monthly_sections(EMPTY_MONTH, now=NOW)
    assert list(tables(empty)) == list(tables(full))
    values = figures(empty)
    assert list(values) == list(figures(full))
    # Everything is zero but the overdue count, which is today's, not the month's.
    assert values.pop("Suggestions overdue today") == 2
    assert set(values.values()) == {0}
    by_key = tables(empty)
    assert by_key["field_visits"].rows == by_key["themed_tours"].rows == by_key["suggestions_by_category"].rows == []
    assert by_key["suggestions_by_category"].total == ["Total", 0, 0, 0, 0]


def test_an_empty_database_makes_every_report_without_error(db):
    for build, period in (
        (reports.monthly_sections, EMPTY_MONTH),
        (reports.half_year_sections, SECOND_HALF),
        (reports.plan_sections, YEAR_2025),
    ):
        sections = build(period)
        assert sections and all(section.tables for section in sections)
        assert all(f.value in (0, None) for s in sections for f in s.figures)


def test_half_year_figures_match_the_hand_count(october, english):
    sections = reports.half_year_sections(SECOND_HALF, now=NOW)
    assert [s.key for s in sections] == ["suggestions_half_year", "field_visits_half_year"]
    by_key = tables(sections)
    trend = by_key["suggestions_trend"]
    # recorded: Aug S6, Sep S3, Oct S1 S2 S4 S5 S8, Nov S9
    # decided: Aug S6; Sep S6 (again), S3; Oct S1 S2 S4
    # budgeted: Oct S1 S3; completed: Oct S3
    assert [row[1:] for row in trend.rows] == [
        [0, 0, 0, 0],
        [1, 1, 0, 0],
        [1, 2, 0, 0],
        [5, 3, 2, 1],
        [1, 0, 0, 0],
        [0, 0, 0, 0],
    ]
    # In the half-year S6 counts once: decided S6 S3 S1 S2 S4 = 5.
    assert trend.total == ["Total", 8, 5, 2, 1]
    values = figures(sections)
    assert values["Suggestions recorded"] == 8
    assert values["Suggestions decided"] == 5
    assert values["Suggestions overdue today"] == 2

    status = {row[0]: row[1] for row in by_key["suggestions_by_status"].rows if row[1]}
    assert status == {
        "Received": 2,  # S8 S9
        "Assigned to a department": 1,  # S5
        "Selected": 1,  # S2
        "Long-term review": 1,  # S6
        "Not feasible": 1,  # S4
        "Reflected in the budget": 1,  # S1
        "Completed": 1,  # S3
    }
    assert by_key["suggestions_by_status"].total == ["Total", 8]

    categories = by_key["suggestions_category_trend"]
    assert categories.columns[0] == "Category" and len(categories.columns) == 8
    assert categories.rows == [
        ["Roads and facilities", 0, 0, 1, 2, 1, 0, 4],  # S3 | S1 S5 | S9
        ["Parks", 0, 1, 0, 1, 0, 0, 2],  # S6 | S2
        ["Welfare", 0, 0, 0, 2, 0, 0, 2],  # S4 S8
    ]
    assert categories.total == ["Total", 0, 1, 1, 5, 1, 0, 8]
    # 중앙동 S1 S2 S6 S9; 산성동 S3 S4; 송림동 S5 S8
    assert by_key["top_neighborhoods_by_suggestions"].rows == [[1, "중앙동", 4], [2, "산성동", 2], [3, "송림동", 2]]

    visits = by_key["field_visits_trend"]
    assert visits.rows[2][1:] == [1, 1, 0, 0, 0]  # September: V5 held
    assert visits.rows[3][1:] == [4, 1, 1, 1, 1]
    assert visits.rows[4][1:] == [1, 0, 0, 0, 1]  # November: V6
    assert visits.total == ["Total", 6, 2, 1, 1, 2]
    assert values["Themed tours held"] == 2  # T1, T3
    chart = {c.key: c for s in sections for c in s.charts}["suggestions_trend"]
    assert chart.series[0].values == [0, 1, 1, 5, 1, 0]


def test_plan_against_actual_counts_the_accepted_plans(october, english):
    sections = reports.plan_sections(YEAR_2025, now=NOW)
    plan = tables(sections)["plan_field_visits"]
    assert len(plan.rows) == 12  # plan C started in July 2024
    assert plan.rows[2][1:] == [1, 1, 0, 0, 0]  # March: plan C's 새솔동, held
    # A's six visits (Sep–Nov) and C's one; B is a draft.
    assert plan.total == ["Total", 7, 3, 1, 1, 2]
    values = figures(sections)
    # On 3 Nov, V6 (4 Nov) is still ahead: 3 held of the 6 whose day has come
    # (V4, 29 Oct, was never recorded and counts against).
    assert values["Share of the visits planned so far that were held"] == 50.0
    assert values["Themed tours held"] == 2


def test_plan_shows_an_accepted_two_year_rotation_year_by_year(city, english):
    """Seed 002: 39 neighborhoods every two years, about 20 visits a year;
    a draft plan counts nothing until it is accepted."""
    from scheduling.models import Neighborhood
    from visits.rotation.services import cycle_accept, rotation_plan

    for number in range(7, 40):
        Neighborhood.objects.create(code=f"N{number:02d}", name=f"{number}동", sort_order=number)
    rotation, _planned = rotation_plan(official=city["mayor"], start=dt.date(2027, 1, 4), years=2)
    year_2027 = Period(dt.date(2027, 1, 1), dt.date(2028, 1, 1), "2027년", "2027")
    year_2028 = Period(dt.date(2028, 1, 1), dt.date(2029, 1, 1), "2028년", "2028")
    assert tables(reports.plan_sections(year_2027))["plan_field_visits"].total[1] == 0
    cycle_accept(cycle=rotation, actor=None)
    first = tables(reports.plan_sections(year_2027))["plan_field_visits"].total[1]
    second = tables(reports.plan_sections(year_2028))["plan_field_visits"].total[1]
    assert first + second == 39
    assert {first, second} == {19, 20}


def _bulk(count, city, start_number):
    """``count`` suggestions recorded in March 2025, each selected and
    budgeted in the month, with a held visit each."""
    neighborhoods = list(city["neighborhoods"].values())
    plan = RotationCycle.objects.filter(status=RotationCycle.Status.ACCEPTED).first()
    rows = [
        Suggestion(
            title=f"B{n}",
            neighborhood=neighborhoods[n % len(neighborhoods)],
            source=Suggestion.Source.FIELD_VISIT,
            category=("roads", "parks", "welfare")[n % 3],
            status="budgeted",
            lead_department=Department.objects.get(code="roads"),
        )
        for n in range(start_number, start_number + count)
    ]
    created = Suggestion.objects.bulk_create(rows)
    Suggestion.objects.filter(pk__in=[s.pk for s in created]).update(created_at=d(3, 3))
    SuggestionEvent.objects.bulk_create(
        SuggestionEvent(suggestion=s, kind="transition", to_status=status, created_at=d(3, day))
        for s in created
        for status, day in (("selected", 10), ("budgeted", 17))
    )
    ThemedTour.objects.bulk_create(
        ThemedTour(
            title=f"T{n}",
            group="season",
            theme="heat",
            official=city["mayor"],
            start=d(3, 4),
            end=d(3, 4) + dt.timedelta(hours=1),
            status="held",
        )
        for n in range(count)
    )
    FieldVisit.objects.bulk_create(
        FieldVisit(
            cycle=plan,
            neighborhood=neighborhoods[n % len(neighborhoods)],
            official=city["mayor"],
            start=d(3, 5),
            end=d(3, 5) + dt.timedelta(hours=1),
            status="held",
        )
        for n in range(start_number, start_number + count)
        if n < len(neighborhoods)
    )


def test_monthly_sections_run_the_same_queries_for_5_and_200_suggestions(city, english):
    march = Period(dt.date(2025, 3, 1), dt.date(2025, 4, 1), "2025년 3월", "2025-03")
    Department.objects.create(code="roads", name="도로과")
    cycle(city, RotationCycle.Status.ACCEPTED, dt.date(2025, 1, 1), dt.date(2026, 12, 31), "A")
    _bulk(5, city, 0)
    with CaptureQueriesContext(connection) as few:
        small = reports.monthly_sections(march)
    _bulk(195, city, 5)
    with CaptureQueriesContext(connection) as many:
        large = reports.monthly_sections(march)
    assert figures(small)["Suggestions recorded"] == figures(small)["Suggestions reflected in the budget"] == 5
    assert figures(large)["Suggestions recorded"] == figures(large)["Suggestions reflected in the budget"] == 200
    assert figures(large)["Themed tours held"] == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 9
