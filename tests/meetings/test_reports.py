"""The TongTong Day figures of the reports (meetings/reports.py), checked
against a month counted by hand.

THE MONTH: October 2025, seen from later (every answer due has fallen due).
Korean holidays: Fri 3 Oct (National Foundation Day), Sun 5 – Wed 8 Oct
(Chuseok and its substitute day), Thu 9 Oct (Hangul Day). Weekends 4–5,
11–12, 18–19, 25–26 Oct.

Meeting days: Thu 9 Oct is the 2nd Thursday but Hangul Day, so the series'
"later" policy moves it to Fri 10 Oct (4 slots of 15 minutes); Thu 23 Oct is
cancelled by the secretariat. September's days (11 and 25 Sep) are regular.

Requests (submitted → first answer; answer due; what became of it):

====  ====================  ====================  ==========  ================================================
ref   submitted             first answer          due         category / neighborhood / outcome
====  ====================  ====================  ==========  ================================================
R1    Thu 2 Oct 10:00       Fri 10 Oct 09:30      14 Oct      roads / 중앙동 / mayor, 10 Oct 14:00 slot 0, held
R2    Mon 29 Sep 15:00      Wed 1 Oct 11:00       2 Oct       roads / 산성동 / 1st deputy, Mon 13 Oct 10:00, held
R3    Fri 10 Oct 17:00      Mon 13 Oct 10:00      21 Oct      parking / 중앙동 / answered in writing
R4    Sat 11 Oct 09:00      Thu 16 Oct 16:00      15 Oct      parking / 산성동 / declined (late)
R5    Mon 20 Oct 10:00      -                     29 Oct      welfare / 중앙동 / withdrawn by the citizen 21 Oct
R6    Tue 21 Oct 10:00      -                     30 Oct →    roads / 중앙동 / still submitted; due extended
                                                  5 Nov
R7    Wed 29 Oct 10:00      -                     7 Nov       roads / 산성동 / under review
R8    Wed 24 Sep 10:00      Thu 25 Sep 10:00      30 Sep      welfare / 중앙동 / mayor, 10 Oct slot 1, no-show
R9    Wed 1 Oct 09:00       Wed 1 Oct 14:00       13 Oct      welfare / 산성동 / mayor, 10 Oct slot 2, held,
                                                              follow-up; closed
R10   Mon 15 Sep 10:00      Tue 16 Sep 10:00      26 Sep      roads / 중앙동 / mayor, 10 Oct slot 3, cancelled
                                                              by the citizen on 8 Oct (appointment cancelled)
R11   Mon 6 Oct 20:00       -                     16 Oct      welfare / 중앙동 / on the waiting list
      (Chuseok)
====  ====================  ====================  ==========  ================================================
"""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from meetings import reports
from meetings.models import Appointment, MeetingDay, MeetingRequest, RequestEvent, Slot
from meetings.services.series import meeting_days_sync
from scheduling.models import Neighborhood
from scheduling.reports.core import Period, report_sources

from .conftest import SEOUL

S = MeetingRequest.Status
OCTOBER = Period(dt.date(2025, 10, 1), dt.date(2025, 11, 1), "2025년 10월", "2025-10")
EMPTY_MONTH = Period(dt.date(2025, 2, 1), dt.date(2025, 3, 1), "2025년 2월", "2025-02")
SECOND_HALF = Period(dt.date(2025, 7, 1), dt.date(2026, 1, 1), "2025년 하반기", "2025-H2")
YEAR_2025 = Period(dt.date(2025, 1, 1), dt.date(2026, 1, 1), "2025년", "2025")


def at(month, day, hour=0, minute=0, year=2025):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SEOUL)


def due(month, day):
    return at(month, day, 18)


def make_request(reference, *, submitted, due_at, category, neighborhood, status=S.SUBMITTED, **fields):
    return MeetingRequest.objects.create(
        reference=reference,
        status=status,
        name="시민",
        phone="010-0000-0000",
        neighborhood=neighborhood,
        category=category,
        subject=reference,
        description="-",
        consent_at=submitted,
        token_hash=uuid.uuid4().hex + uuid.uuid4().hex,
        submitted_at=submitted,
        answer_due_at=due_at,
        **fields,
    )


def book(request, official, *, start, slot=None, substitution=False, status=Appointment.Status.ACTIVE):
    return Appointment.objects.create(
        request=request,
        official=official,
        slot=slot,
        start=start,
        end=start + dt.timedelta(minutes=15),
        location="시장실",
        is_substitution=substitution,
        status=status,
    )


def event(request, to_status, when):
    RequestEvent.objects.create(request=request, action=to_status, to_status=to_status)
    RequestEvent.objects.filter(request=request, to_status=to_status).update(at=when)


@pytest.fixture
def october(city):
    center = Neighborhood.objects.get(code="N01")  # 중앙동
    sansung = Neighborhood.objects.create(code="N02", name="산성동")
    days = {d.original_date: d for d in meeting_days_sync(start=dt.date(2025, 9, 1), end=dt.date(2025, 10, 31))}
    moved = days[dt.date(2025, 10, 9)]
    assert moved.status == MeetingDay.Status.MOVED and moved.start == at(10, 10, 14)
    cancelled = days[dt.date(2025, 10, 23)]
    MeetingDay.objects.filter(pk=cancelled.pk).update(status=MeetingDay.Status.CANCELLED, reason="시장 해외 출장")
    slots = list(Slot.objects.filter(meeting_day=moved).order_by("index"))
    assert len(slots) == 4
    mayor, deputy = city["mayor"], city["first"]

    r1 = make_request(
        "R1",
        submitted=at(10, 2, 10),
        first_answered_at=at(10, 10, 9, 30),
        due_at=due(10, 14),
        category="roads",
        neighborhood=center,
        status=S.HELD,
        outcome="held",
    )
    book(r1, mayor, start=slots[0].start, slot=slots[0])
    r2 = make_request(
        "R2",
        submitted=at(9, 29, 15),
        first_answered_at=at(10, 1, 11),
        due_at=due(10, 2),
        category="roads",
        neighborhood=sansung,
        status=S.HELD,
        outcome="held",
        substitution_reason="시장 일정",
    )
    book(r2, deputy, start=at(10, 13, 10), substitution=True)
    make_request(
        "R3",
        submitted=at(10, 10, 17),
        first_answered_at=at(10, 13, 10),
        due_at=due(10, 21),
        category="parking",
        neighborhood=center,
        status=S.ANSWERED,
    )
    make_request(
        "R4",
        submitted=at(10, 11, 9),
        first_answered_at=at(10, 16, 16),
        due_at=due(10, 15),
        category="parking",
        neighborhood=sansung,
        status=S.DECLINED,
        decline_reason="소관 아님",
    )
    r5 = make_request(
        "R5", submitted=at(10, 20, 10), due_at=due(10, 29), category="welfare", neighborhood=center, status=S.CANCELLED
    )
    event(r5, S.CANCELLED, at(10, 21, 9))
    make_request(
        "R6",
        submitted=at(10, 21, 10),
        due_at=due(10, 30),
        extended_due_at=due(11, 5),
        extension_reason="부서 검토",
        category="roads",
        neighborhood=center,
    )
    make_request(
        "R7", submitted=at(10, 29, 10), due_at=due(11, 7), category="roads", neighborhood=sansung, status=S.UNDER_REVIEW
    )
    r8 = make_request(
        "R8",
        submitted=at(9, 24, 10),
        first_answered_at=at(9, 25, 10),
        due_at=due(9, 30),
        category="welfare",
        neighborhood=center,
        status=S.NO_SHOW,
        outcome="no_show",
    )
    book(r8, mayor, start=slots[1].start, slot=slots[1])
    r9 = make_request(
        "R9",
        submitted=at(10, 1, 9),
        first_answered_at=at(10, 1, 14),
        due_at=due(10, 13),
        category="welfare",
        neighborhood=sansung,
        status=S.CLOSED,
        outcome="follow_up",
        closed_at=at(10, 20, 10),
    )
    book(r9, mayor, start=slots[2].start, slot=slots[2])
    r10 = make_request(
        "R10",
        submitted=at(9, 15, 10),
        first_answered_at=at(9, 16, 10),
        due_at=due(9, 26),
        category="roads",
        neighborhood=center,
        status=S.CANCELLED,
    )
    book(r10, mayor, start=slots[3].start, slot=slots[3], status=Appointment.Status.CANCELLED)
    event(r10, S.CANCELLED, at(10, 8, 12))
    make_request(
        "R11", submitted=at(10, 6, 20), due_at=due(10, 16), category="welfare", neighborhood=center, status=S.WAITLISTED
    )
    return city


def figures(sections):
    return {figure.label: figure for section in sections for figure in section.figures}


def tables(sections):
    return {table.key: table for section in sections for table in section.tables}


def value(sections, label):
    return figures(sections)[label].value


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_the_source_is_registered():
    source = {s.key: s for s in report_sources()}["meetings"]
    assert source.order == 10
    assert source.monthly is reports.monthly_sections
    assert source.half_year is reports.half_year_sections
    assert source.plan is reports.plan_sections


def test_monthly_figures_match_the_hand_count(october, english):
    sections = reports.monthly_sections(OCTOBER)
    assert [s.key for s in sections] == ["meetings_requests", "meetings_held", "satisfaction"]

    # Received in October: R1 R3 R4 R5 R6 R7 R9 R11 (R2 R8 R10 came in September).
    assert value(sections, "Requests received") == 8
    # First answered in October: R1 (10 Oct) R2 (1 Oct) R3 (13 Oct) R4 (16 Oct) R9 (1 Oct).
    assert value(sections, "Requests handled") == 5
    # Working days from the day of receipt to the day of the answer:
    #   R1 2 Oct → 10 Oct: 3 Oct holiday, 4–5 weekend, 6–9 Chuseok and Hangul Day, 10 Oct → 1
    #   R2 Mon 29 Sep → Wed 1 Oct: 30 Sep, 1 Oct → 2
    #   R3 Fri 10 Oct → Mon 13 Oct: weekend, 13 Oct → 1
    #   R4 Sat 11 Oct → Thu 16 Oct: 13, 14, 15, 16 Oct → 4
    #   R9 1 Oct → 1 Oct, same day → 0
    # [0, 1, 1, 2, 4]: average 8 / 5 = 1.6, median 1.
    average = figures(sections)["Average working days to the first answer"]
    assert average.value == 1.6
    assert (average.target, average.higher_is_better) == (2.0, False)
    assert value(sections, "Median working days to the first answer") == 1
    # Answers due in October: R1 R2 R3 R4 R5 R9 R11 (R6's due was extended to
    # 5 Nov, R7's is 7 Nov, R8's and R10's fell due in September) = 7.
    # R5 was withdrawn before an answer: 6 owed. On time: R1 R2 R3 R9 = 4;
    # late: R4 (due 15 Oct, answered 16 Oct); not answered: R11.
    # Rate 4 / 6 = 66.7 %.
    rate = figures(sections)["Answer rate (answered on time)"]
    assert (rate.value, rate.target, rate.unit) == (66.7, 100, "%")
    answers = tables(sections)["answers_due"]
    assert [row[1] for row in answers.rows] == [7, 1, 4, 1, 1]
    assert answers.total == ["Answer rate (%)", 66.7]

    # Meetings held in October: R1 and R9 with the mayor on 10 Oct (R9 held
    # with a follow-up), R2 with the 1st deputy on 13 Oct. R8 did not come.
    assert value(sections, "Meetings held with the mayor") == 2
    assert value(sections, "Meetings held by a substitute") == 1
    # Calendar days from the request to the meeting: R1 2 → 10 Oct = 8,
    # R2 29 Sep → 13 Oct = 14, R9 1 → 10 Oct = 9: average 31 / 3, median 9.
    assert value(sections, "Average days from the request to the meeting") == 10.33
    assert value(sections, "Median days from the request to the meeting") == 9
    # Meeting days of October: 9 Oct moved to 10 Oct and held; 23 Oct cancelled.
    assert value(sections, "TongTong Days held") == 1
    assert value(sections, "TongTong Days moved") == 1
    assert value(sections, "TongTong Days cancelled") == 1
    # Slots of the held day (10 Oct): 4; booked: R1, R8 (a no-show still used
    # the slot), R9; R10's booking was cancelled. 3 / 4 = 75 %. The cancelled
    # day's slots are not offered.
    assert value(sections, "Slot use") == 75.0


def test_monthly_tables_match_the_hand_count(october, english):
    by_key = tables(reports.monthly_sections(OCTOBER))
    assert list(by_key) == [
        "requests_by_category",
        "requests_by_status",
        "requests_by_neighborhood",
        "answers_due",
        "handling_times",
        "meetings_by_official",
        "meeting_days",
        "satisfaction_distribution",
        "satisfaction_comments",
    ]
    category = by_key["requests_by_category"]
    assert category.columns == ["Category", "Received", "Handled", "Meetings held"]
    # roads: received R1 R6 R7, handled R1 R2, held R1 R2
    # welfare: received R5 R9 R11, handled R9, held R9
    # parking: received R3 R4, handled R3 R4, held none
    assert category.rows == [
        ["Roads and facilities", 3, 2, 2],
        ["Welfare", 3, 1, 1],
        ["Parking", 2, 2, 0],
    ]
    assert category.total == ["Total", 8, 5, 3]

    status = dict((row[0], row[1]) for row in by_key["requests_by_status"].rows)
    assert len(status) == len(S.choices)
    assert {label: n for label, n in status.items() if n} == {
        "Submitted": 1,  # R6
        "Under review": 1,  # R7
        "On the waiting list": 1,  # R11
        "Answered in writing": 1,  # R3
        "Declined": 1,  # R4
        "Held": 1,  # R1
        "Cancelled": 1,  # R5
        "Closed": 1,  # R9
    }
    assert by_key["requests_by_status"].total == ["Total", 8]

    # 중앙동: received R1 R3 R5 R6 R11, handled R1 R3, held R1
    # 산성동: received R4 R7 R9, handled R2 R4 R9, held R2 R9
    assert by_key["requests_by_neighborhood"].rows == [["중앙동", 5, 2, 1], ["산성동", 3, 3, 2]]
    assert by_key["requests_by_neighborhood"].total == ["Total", 8, 5, 3]

    times = by_key["handling_times"].rows
    assert times[0][1:] == [5, 1.6, 1, 4]
    assert times[1][1:] == [3, 10.33, 9, 14]

    officials = by_key["meetings_by_official"]
    assert officials.rows == [["시장 김시장", "Mayor", 2], ["제1부시장 이부시장", "Deputy mayor", 1]]
    assert officials.total == ["Total", "", 3]

    days = by_key["meeting_days"].rows
    assert [row[:3] for row in days] == [
        [dt.date(2025, 10, 10), dt.date(2025, 10, 9), "Moved"],
        [dt.date(2025, 10, 23), dt.date(2025, 10, 23), "Cancelled"],
    ]
    assert [row[4:] for row in days] == [[4, 3], [4, 0]]
    assert days[1][3] == "시장 해외 출장"


def test_satisfaction_of_the_month_matches_the_hand_count(october, english):
    """Held in October: R1 (mayor, 10 Oct), R9 (mayor, 10 Oct, follow-up
    needed) and R2 (first deputy, 13 Oct); R8 did not come (not asked).
    R1 answers 5 with a comment, R9 answers 2 without one, R2 does not answer."""
    MeetingRequest.objects.filter(reference="R1").update(
        satisfaction_score=5, satisfaction_comment="설명이 친절했습니다"
    )
    MeetingRequest.objects.filter(reference="R9").update(satisfaction_score=2)
    sections = reports.monthly_sections(OCTOBER)
    assert value(sections, "Average satisfaction (1–5)") == 3.5
    assert value(sections, "Answers to the satisfaction question") == 2
    assert value(sections, "Response rate (answers per meeting held)") == 66.7  # 2 of 3
    by_key = tables(sections)
    distribution = by_key["satisfaction_distribution"]
    assert distribution.rows == [
        ["5 points", 1, 50.0],
        ["4 points", 0, 0.0],
        ["3 points", 0, 0.0],
        ["2 points", 1, 50.0],
        ["1 points", 0, 0.0],
    ]
    assert distribution.total == ["Total", 2, 100.0]
    comments = by_key["satisfaction_comments"]
    assert comments.rows == [[dt.date(2025, 10, 10), "R1", 5, "설명이 친절했습니다"]]
    assert "staff only" in comments.title

    half = reports.half_year_sections(SECOND_HALF)
    trend = tables(half)["satisfaction_trend"]
    assert trend.rows[3] == ["October 2025", 3, 2, 66.7, 3.5]
    assert trend.rows[2] == ["September 2025", 0, 0, None, None]
    assert trend.total == ["Total", 3, 2, 66.7, 3.5]
    assert value(half, "Average satisfaction (1–5)") == 3.5


def test_a_month_with_no_data_has_zeros_and_the_same_tables(october, english):
    full = reports.monthly_sections(OCTOBER)
    empty = reports.monthly_sections(EMPTY_MONTH)
    assert [s.key for s in empty] == [s.key for s in full]
    assert list(tables(empty)) == list(tables(full))
    assert [f.label for f in figures(empty).values()] == [f.label for f in figures(full).values()]
    values = {label: f.value for label, f in figures(empty).items()}
    assert values == {
        "Requests received": 0,
        "Requests handled": 0,
        "Answer rate (answered on time)": None,
        "Average working days to the first answer": None,
        "Median working days to the first answer": None,
        "Meetings held with the mayor": 0,
        "Meetings held by a substitute": 0,
        "Average days from the request to the meeting": None,
        "Median days from the request to the meeting": None,
        "TongTong Days held": 0,
        "TongTong Days moved": 0,
        "TongTong Days cancelled": 0,
        "Slot use": None,
        "Average satisfaction (1–5)": None,
        "Answers to the satisfaction question": 0,
        "Response rate (answers per meeting held)": None,
    }
    by_key = tables(empty)
    assert by_key["requests_by_category"].rows == []
    assert by_key["requests_by_category"].total == ["Total", 0, 0, 0]
    assert all(row[1] == 0 for row in by_key["requests_by_status"].rows)
    assert by_key["meeting_days"].rows == []


def test_an_empty_database_makes_every_report_without_error(db):
    for build, period in (
        (reports.monthly_sections, EMPTY_MONTH),
        (reports.half_year_sections, SECOND_HALF),
        (reports.plan_sections, YEAR_2025),
    ):
        sections = build(period)
        assert sections and all(section.tables for section in sections)


def test_half_year_figures_match_the_hand_count(october, english):
    sections = reports.half_year_sections(SECOND_HALF)
    assert [s.key for s in sections] == ["meetings_trends", "meetings_analysis", "satisfaction_half_year"]
    by_key = tables(sections)
    trend = by_key["requests_trend"]
    assert [row[0] for row in trend.rows] == [
        "July 2025",
        "August 2025",
        "September 2025",
        "October 2025",
        "November 2025",
        "December 2025",
    ]
    # September: received R2 R8 R10; handled R8 (25 Sep) R10 (16 Sep), each
    # one working day (Wed→Thu, Mon→Tue); answers due R8 (30 Sep) and R10
    # (26 Sep), both on time → 100 %.
    assert trend.rows[2][1:] == [3, 2, 0, 0, 1.0, 100.0]
    # October: as the monthly report.
    assert trend.rows[3][1:] == [8, 5, 3, 1, 1.6, 66.7]
    # November: nothing received or handled; R6 (extended to 5 Nov) and R7
    # (7 Nov) fell due unanswered → 0 of 2.
    assert trend.rows[4][1:] == [0, 0, 0, 0, None, 0.0]
    assert trend.rows[0][1:] == [0, 0, 0, 0, None, None]
    # Totals: 11 received, 7 handled, 3 held, 1 substituted; working days
    # [1, 1, 0, 1, 1, 2, 4] → 10 / 7 = 1.43; answers owed 2 + 6 + 2 = 10, on
    # time 2 + 4 = 6 → 60 %.
    assert trend.total == ["Total", 11, 7, 3, 1, 1.43, 60.0]
    assert value(sections, "Substitution rate") == 33.3  # 1 of 3
    assert value(sections, "Answer rate (answered on time)") == 60.0

    charts = {chart.key: chart for s in sections for chart in s.charts}
    assert charts["requests_trend"].kind == "bar"
    assert [s.values for s in charts["requests_trend"].series] == [
        [0, 0, 3, 8, 0, 0],
        [0, 0, 2, 5, 0, 0],
        [0, 0, 0, 3, 0, 0],
    ]
    line = charts["answer_days_trend"]
    assert (line.kind, line.target) == ("line", 2.0)
    assert line.series[0].values == [None, None, 1.0, 1.6, None, None]

    # Received in the half: roads R1 R2 R6 R7 R10 = 5, welfare R5 R8 R9 R11 =
    # 4, parking R3 R4 = 2; 중앙동 R1 R3 R5 R6 R8 R10 R11 = 7, 산성동 R2 R4 R7 R9 = 4.
    assert by_key["top_categories"].rows == [
        [1, "Roads and facilities", 5],
        [2, "Welfare", 4],
        [3, "Parking", 2],
    ]
    assert by_key["top_neighborhoods"].rows == [[1, "중앙동", 7], [2, "산성동", 4]]
    waiting = by_key["waiting_times"].rows
    assert waiting[0][1:] == [7, 1.43, 1, 4]
    assert waiting[1][1:] == [3, 10.33, 9, 14]
    assert value(sections, "Longest wait from the request to the meeting") == 14


def test_plan_against_actual_counts_from_the_first_meeting_day(october, english):
    """Tongtong holds TongTong Days from 11 Sep 2025 (the fixture builds
    September and October): the rule's dates of January–August are not
    planned days of this city, so 2025 counts September–December."""
    sections = reports.plan_sections(YEAR_2025, now=at(11, 3, 10))
    plan = tables(sections)["plan_meeting_days"]
    assert [row[0] for row in plan.rows] == ["September 2025", "October 2025", "November 2025", "December 2025"]
    # September: 11 and 25 held. October: 9 Oct held on 10 Oct (moved), 23 Oct
    # cancelled. November and December: two rule dates each, not built yet
    # (beyond the booking horizon), still to come on 3 November.
    assert plan.rows[0][1:] == [2, 2, 0, 0, 0]
    assert plan.rows[1][1:] == [2, 1, 1, 1, 0]
    assert plan.rows[2][1:] == [2, 0, 0, 0, 2]
    assert plan.rows[3][1:] == [2, 0, 0, 0, 2]
    assert plan.total == ["Total", 8, 3, 1, 1, 4]
    assert value(sections, "TongTong Days planned") == 8
    # Of the 4 days whose date has come, 3 were held (the 4th was cancelled).
    assert value(sections, "Share of the days planned so far that were held") == 75.0
    assert plan.note.startswith("Counted from Thu 11 Sep 2025, the first TongTong Day held with Tongtong.")

    # Seen on 20 Sep 2025: 11 Sep held; 25 Sep, 10 Oct and the four of
    # November–December still to come; 23 Oct already cancelled, which counts
    # against at once (it will not be held): 1 held of 2.
    early = reports.plan_sections(YEAR_2025, now=at(9, 20, 12))
    assert tables(early)["plan_meeting_days"].total == ["Total", 8, 1, 1, 1, 6]
    assert value(early, "Share of the days planned so far that were held") == 50.0


def test_plan_of_the_series_first_year_counts_only_from_its_start(pinned_today, city, english):
    """The city starts TongTong Day in August 2026 (the days are built from
    1 August); seen on Tue 17 Nov 2026. Counted by hand:

    ======  =====================================  =======  ====  =====  =========  ========
    month   rule dates (2nd and 4th Thursday)      planned  held  moved  cancelled  to come
    ======  =====================================  =======  ====  =====  =========  ========
    Aug     13, 27                                 2        2     0      0          0
    Sep     10, 24 (Chuseok: moved to Mon 28)      2        2     1      0          0
    Oct     8, 22 (cancelled by the secretariat)   2        1     0      1          0
    Nov     12, 26                                 2        1     0      0          1
    Dec     10, 24                                 2        0     0      0          2
    total                                          10       6     1      1          3
    ======  =====================================  =======  ====  =====  =========  ========

    The year's rule has 24 dates; counting January–July too gave 6 of 24
    (25%, "target not met"). Of the 7 days whose date has come, 6 were held:
    85.7%."""
    days = {d.original_date: d for d in meeting_days_sync(start=dt.date(2026, 8, 1), end=dt.date(2026, 12, 31))}
    assert days[dt.date(2026, 9, 24)].status == MeetingDay.Status.MOVED
    assert days[dt.date(2026, 9, 24)].start == at(9, 28, 14, year=2026)
    MeetingDay.objects.filter(pk=days[dt.date(2026, 10, 22)].pk).update(
        status=MeetingDay.Status.CANCELLED, reason="시장 해외 출장"
    )
    year = Period(dt.date(2026, 1, 1), dt.date(2027, 1, 1), "2026년", "2026")
    sections = reports.plan_sections(year)
    plan = tables(sections)["plan_meeting_days"]
    assert [row[1:] for row in plan.rows] == [
        [2, 2, 0, 0, 0],
        [2, 2, 1, 0, 0],
        [2, 1, 0, 1, 0],
        [2, 1, 0, 0, 1],
        [2, 0, 0, 0, 2],
    ]
    assert plan.rows[0][0] == "August 2026"
    assert plan.total == ["Total", 10, 6, 1, 1, 3]
    assert value(sections, "TongTong Days planned") == 10
    assert value(sections, "Share of the days planned so far that were held") == 85.7

    with translation.override("ko"):
        page = reports.plan_sections(year)
    share = next(f for f in figures(page).values() if f.unit == "%")
    assert share.value == 85.7
    assert tables(page)["plan_meeting_days"].note.startswith("2026. 8. 13.(목)")


def test_plan_before_any_meeting_day_counts_nothing(db, english):
    sections = reports.plan_sections(YEAR_2025, now=at(11, 3, 10))
    plan = tables(sections)["plan_meeting_days"]
    assert plan.rows == []
    assert plan.total == ["Total", 0, 0, 0, 0, 0]
    assert value(sections, "Share of the days planned so far that were held") is None


def test_a_half_year_of_2018_plans_twelve_meeting_days(city):
    """Seed 002: 12 TongTong Days in the second half of 2018."""
    meeting_days_sync(start=dt.date(2018, 7, 1), end=dt.date(2018, 12, 31))
    period = Period(dt.date(2018, 7, 1), dt.date(2019, 1, 1), "2018년 하반기", "2018-H2")
    plan = tables(reports.plan_sections(period))["plan_meeting_days"]
    assert plan.total[1] == 12


def _bulk_requests(count, neighborhood, mayor, start_number):
    """``count`` requests in March 2025, each answered two days later and
    met by the mayor (no slot) a week later."""
    rows = []
    for number in range(start_number, start_number + count):
        submitted = at(3, 3 + number % 20, 10)
        rows.append(
            MeetingRequest(
                reference=f"B{number}",
                status=S.HELD,
                name="시민",
                phone="010-0000-0000",
                neighborhood=neighborhood,
                category=("roads", "welfare", "parking")[number % 3],
                subject="-",
                description="-",
                consent_at=submitted,
                token_hash=f"{number:064d}",
                submitted_at=submitted,
                answer_due_at=submitted + dt.timedelta(days=5),
                first_answered_at=submitted + dt.timedelta(days=2),
                outcome="held",
            )
        )
    created = MeetingRequest.objects.bulk_create(rows)
    Appointment.objects.bulk_create(
        Appointment(
            request=request,
            official=mayor,
            start=request.submitted_at + dt.timedelta(days=7),
            end=request.submitted_at + dt.timedelta(days=7, minutes=15),
            location="시장실",
        )
        for request in created
    )


def test_monthly_sections_run_the_same_queries_for_5_and_200_requests(city, english):
    march = Period(dt.date(2025, 3, 1), dt.date(2025, 4, 1), "2025년 3월", "2025-03")
    meeting_days_sync(start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31))
    neighborhood = Neighborhood.objects.get(code="N01")
    _bulk_requests(5, neighborhood, city["mayor"], 0)
    with CaptureQueriesContext(connection) as few:
        small = reports.monthly_sections(march)
    _bulk_requests(195, neighborhood, city["mayor"], 5)
    with CaptureQueriesContext(connection) as many:
        large = reports.monthly_sections(march)
    assert figures(small)["Requests received"].value == 5
    assert figures(large)["Requests received"].value == 200
    assert figures(large)["Meetings held with the mayor"].value == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 17
