"""The petition office's figures (petitions/reports.py), checked against a
month counted by hand.

THE MONTH: October 2026, seen from Tue 17 Nov 2026 (the pinned clock):
every answer due in October has fallen due. Korean holidays: Sat 3 Oct
(National Foundation Day), Mon 5 Oct (its substitute day), Fri 9 Oct
(Hangul Day). Working hours 09–12 and 13–18; a handling day is 8 of them.

====  =========  ===============  ===================  ===========================================  =======
ref   channel    category         received             what became of it (when)                      w. days
====  =========  ===============  ===================  ===========================================  =======
P1    SMS        roads            Tue 13 Oct 10:00     assigned, drafted, approved Wed 14 Oct 10:00  1.0
P2    SMS        parking          Tue 13 Oct 14:00     answered directly Tue 13 Oct 16:00            0.25
P3    web        roads            Thu 15 Oct 09:00     approved Mon 19 Oct 09:00                     2.0
P4    web        welfare          Mon 19 Oct 09:00     guided Mon 19 Oct 11:00                       0.25
P5    e-People   street_stalls    Tue 20 Oct 09:00     transferred to 경찰서 Tue 20 Oct 11:00         0.25
P6    phone      praise           Wed 21 Oct 10:00     thanked Wed 21 Oct 10:30                      (not timed)
P7    walk-in    roads            Wed 21 Oct 10:00     merged into P3 Wed 21 Oct 11:00               (not timed)
P8    SMS        roads   (quick)  Thu 22 Oct 10:00     dispatched, fixed 10:25 (25 minutes)          25/480
P9    SMS        cleaning (quick) Thu 22 Oct 14:00     dispatched, fixed 14:45 (45 minutes: late)    45/480
P10   phone      roads   (quick)  Fri 30 Oct 17:50     dispatched, still open (due 18:20: overdue)   -
P11   web        parking          Tue 6 Oct 09:00      approved Fri 16 Oct 17:00 (due 15 Oct: late)  7.875
P12   SMS        welfare          Wed 28 Oct 10:00     with the department (due 5 Nov)               -
P13   e-People   health           Thu 1 Oct 10:00      with the department (due 13 Oct: overdue)     -
P14   SMS        roads            Wed 30 Sep 10:00     approved Fri 2 Oct 10:00 (due 12 Oct)         2.0
P15   web        urban_dev.       Mon 26 Oct 10:00     made a meeting request Mon 26 Oct 15:00       0.5
P16   SMS        guidance         Tue 20 Oct 11:00     answered directly Tue 20 Oct 12:00            0.125
P17   SMS        roads            Mon 2 Nov 10:00      received (November: counts nowhere)           -
====  =========  ===============  ===================  ===========================================  =======

Meeting requests (meetings' rows): M1 roads, first answered 8 Oct, met the
mayor 22 Oct; M2 welfare, answered 20 Oct, met the first deputy 22 Oct; M3
roads, answered 29 Sep, met the mayor 22 Oct; M4 roads, declined 27 Oct.

BY HAND:
- handled: 12 petitions closed in October other than as a meeting request
  (P1–P9, P11, P14, P16) + 3 meeting requests answered (M1, M2, M4) = 15;
  meetings with the mayor in October: M1, M3 = 2 → "15건 처리 / 시장 면담 2건".
- handling days (11 timed: P6 thanked and P7 merged are not): 1, 0.25, 2,
  0.25, 0.25, 25/480, 45/480, 7.875, 2, 0.5, 0.125 → sum 14.3958…, average
  1.31, median 0.25, longest 7.88.
- answers due in October: P1–P11, P13, P14, P16 = 14; not owed (transferred
  P5, merged P7) 2 → 12 owed; on time P1, P2, P3, P4, P6, P8, P14, P16 = 8;
  late P9, P11 = 2; not answered P10, P13 = 2 → 66.7 %.
- quick: P8, P9, P10 received; P8 within 30 minutes → 33.3 %.
- open at the end of October: P10, P12, P13 = 3; overdue P10, P13 = 2.
"""

import datetime as dt
import io
import uuid
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from meetings.models import Appointment, MeetingRequest
from petitions import reports, rules
from petitions.models import Petition
from petitions.services.core import petition_receive, transition
from scheduling.clock import SEOUL
from scheduling.models import Department, Neighborhood, Official
from scheduling.reports.core import Period, report_sources
from scheduling.services import official_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]

OCTOBER = Period(dt.date(2026, 10, 1), dt.date(2026, 11, 1), "2026년 10월", "2026-10")
EMPTY_MONTH = Period(dt.date(2026, 2, 1), dt.date(2026, 3, 1), "2026년 2월", "2026-02")
SECOND_HALF = Period(dt.date(2026, 7, 1), dt.date(2027, 1, 1), "2026년 하반기", "2026-H2")
BOTH = {rules.SECRETARIAT, rules.DEPARTMENT}


def at(month, day, hour, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SEOUL)


def receive(reference, channel, category, received, *, kind=rules.GENERAL):
    petition, _created = petition_receive(
        channel=channel,
        subject=f"{reference} 민원",
        body="내용",
        category=category,
        kind=kind,
        phone="010-1234-5678",
        received_at=received,
    )
    return petition


def step(petition, action, moment, **fields):
    petition.refresh_from_db()
    for name, value in fields.items():
        setattr(petition, name, value)
    return transition(petition, action, actors=BOTH, now=moment)


def answer_through_department(petition, department, assigned, approved):
    step(petition, "assign", assigned, department=department, assigned_at=assigned)
    step(petition, "draft", approved - dt.timedelta(minutes=30), answer="답변", drafted_at=approved)
    return step(petition, "approve", approved, answer_via="sms")


def meeting_request(category, answered, *, status=MeetingRequest.Status.SCHEDULED, **fields):
    return MeetingRequest.objects.create(
        reference=f"2026-{uuid.uuid4().hex[:4]}",
        status=status,
        name="시민",
        phone="010-0000-0000",
        category=category,
        neighborhood=Neighborhood.objects.get_or_create(code="N01", defaults={"name": "중앙동"})[0],
        subject="면담",
        description="-",
        consent_at=answered - dt.timedelta(days=3),
        token_hash=uuid.uuid4().hex + uuid.uuid4().hex,
        submitted_at=answered - dt.timedelta(days=3),
        answer_due_at=answered + dt.timedelta(days=5),
        first_answered_at=answered,
        **fields,
    )


def held(request, official, start, *, substitution=False):
    request.outcome = MeetingRequest.Outcome.HELD
    request.save(update_fields=["outcome"])
    Appointment.objects.create(
        request=request,
        official=official,
        start=start,
        end=start + dt.timedelta(minutes=15),
        location="시장실",
        is_substitution=substitution,
        status=Appointment.Status.ACTIVE,
    )


@pytest.fixture
def october(db):
    roads = Department.objects.create(code="roads", name="도로과")
    p = {}
    p[1] = receive("P1", rules.SMS, "roads", at(10, 13, 10))
    answer_through_department(p[1], roads, at(10, 13, 11), at(10, 14, 10))
    p[2] = receive("P2", rules.SMS, "parking", at(10, 13, 14))
    step(p[2], "answer", at(10, 13, 16), answer="안내", answer_via="sms")
    p[3] = receive("P3", rules.WEB, "roads", at(10, 15, 9))
    answer_through_department(p[3], roads, at(10, 15, 10), at(10, 19, 9))
    p[4] = receive("P4", rules.WEB, "welfare", at(10, 19, 9))
    step(p[4], "guide", at(10, 19, 11), answer="제도 안내")
    p[5] = receive("P5", rules.EPEOPLE, "street_stalls", at(10, 20, 9))
    step(p[5], "transfer", at(10, 20, 11), transfer_agency="경찰서")
    p[6] = receive("P6", rules.PHONE, "praise", at(10, 21, 10))
    step(p[6], "thank", at(10, 21, 10, 30))
    p[7] = receive("P7", rules.VISIT, "roads", at(10, 21, 10))
    step(p[7], "merge", at(10, 21, 11), merged_into=p[3])
    p[8] = receive("P8", rules.SMS, "roads", at(10, 22, 10), kind=rules.QUICK)
    step(p[8], "dispatch", at(10, 22, 10, 5), field_team="현장기동반", dispatched_at=at(10, 22, 10, 5))
    step(p[8], "resolve", at(10, 22, 10, 25), answer="조치 완료")
    p[9] = receive("P9", rules.SMS, "cleaning", at(10, 22, 14), kind=rules.QUICK)
    step(p[9], "dispatch", at(10, 22, 14, 10), field_team="현장기동반", dispatched_at=at(10, 22, 14, 10))
    step(p[9], "resolve", at(10, 22, 14, 45), answer="조치 완료")
    p[10] = receive("P10", rules.PHONE, "roads", at(10, 30, 17, 50), kind=rules.QUICK)
    step(p[10], "dispatch", at(10, 30, 17, 55), field_team="현장기동반", dispatched_at=at(10, 30, 17, 55))
    p[11] = receive("P11", rules.WEB, "parking", at(10, 6, 9))
    answer_through_department(p[11], roads, at(10, 6, 10), at(10, 16, 17))
    p[12] = receive("P12", rules.SMS, "welfare", at(10, 28, 10))
    step(p[12], "assign", at(10, 28, 11), department=roads, assigned_at=at(10, 28, 11))
    p[13] = receive("P13", rules.EPEOPLE, "health", at(10, 1, 10))
    step(p[13], "assign", at(10, 1, 11), department=roads, assigned_at=at(10, 1, 11))
    p[14] = receive("P14", rules.SMS, "roads", at(9, 30, 10))
    answer_through_department(p[14], roads, at(9, 30, 11), at(10, 2, 10))
    p[15] = receive("P15", rules.WEB, "urban_development", at(10, 26, 10))
    step(p[15], "to_meeting", at(10, 26, 15))
    p[16] = receive("P16", rules.SMS, "guidance", at(10, 20, 11))
    step(p[16], "answer", at(10, 20, 12), answer="안내", answer_via="sms")
    p[17] = receive("P17", rules.SMS, "roads", dt.datetime(2026, 11, 2, 10, tzinfo=SEOUL))

    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    deputy = official_create(name="이부시장", title="제1부시장", rank=Official.Rank.DEPUTY_MAYOR, substitution_order=1)
    held(meeting_request("roads", at(10, 8, 10)), mayor, at(10, 22, 14))
    held(meeting_request("welfare", at(10, 20, 10)), deputy, at(10, 22, 14, 15), substitution=True)
    held(meeting_request("roads", at(9, 29, 10)), mayor, at(10, 22, 14, 30))
    meeting_request("roads", at(10, 27, 10), status=MeetingRequest.Status.DECLINED, decline_reason="소관 아님")
    return p


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def section(period=OCTOBER):
    return reports.monthly_sections(period)[0]


def figure(sec, label):
    return next(f.value for f in sec.figures if f.label == label)


def table(sec, key):
    return next(t for t in sec.tables if t.key == key)


def test_the_source_comes_first_in_the_reports():
    sources = report_sources()
    assert sources[0].key == "petitions"
    assert sources[0].monthly is reports.monthly_sections
    assert sources[0].half_year is reports.half_year_sections


def test_the_monthly_line_and_figures_match_the_hand_count(october, english):
    office = section()
    assert office.title == "Direct petitions: 15 handled / 2 meetings with the mayor"
    assert figure(office, "Handled (all channels and meeting requests)") == 15
    assert figure(office, "Meetings held with the mayor") == 2
    assert figure(office, "Petitions received") == 15
    assert figure(office, "Average handling time (working days)") == 1.31
    assert figure(office, "Median handling time (working days)") == 0.25
    assert figure(office, "Answer rate (answered by the due time)") == 66.7
    assert figure(office, "Transferred to other agencies") == 1
    assert figure(office, "Quick service closed within 30 minutes") == 33.3
    assert figure(office, "Open at the end of the month") == 3
    assert figure(office, "Overdue at the end of the month") == 2


def test_the_monthly_line_in_korean(october):
    with translation.override("ko"):
        assert section().title == "직소민원 처리 결과: 15건 처리 / 시장 면담 2건"


def test_the_category_table_per_channel_matches_the_hand_count(october, english):
    categories = table(section(), "petitions_by_category")
    assert categories.columns == [
        "Category",
        "Web board",
        "National e-People portal",
        "Mayor's SMS phone",
        "Phone call",
        "Walk-in",
        "From a visit or meeting",
        "Meeting requests",
        "Total",
    ]
    rows = {row[0]: row[1:] for row in categories.rows}
    # Every category of the office, praise and guidance included, even with nothing.
    assert len(rows) == 22 and rows["Education"] == [0, 0, 0, 0, 0, 0, 0, 0]
    #                           web, e-People, SMS, phone, walk-in, internal, meetings, total
    assert rows["Roads and facilities"] == [1, 0, 3, 0, 1, 0, 2, 7]
    assert rows["Parking"] == [1, 0, 1, 0, 0, 0, 0, 2]
    assert rows["Welfare"] == [1, 0, 0, 0, 0, 0, 1, 2]
    assert rows["Street stalls and obstructions"] == [0, 1, 0, 0, 0, 0, 0, 1]
    assert rows["Praise"] == [0, 0, 0, 1, 0, 0, 0, 1]
    assert rows["Cleaning"] == [0, 0, 1, 0, 0, 0, 0, 1]
    assert rows["Guidance"] == [0, 0, 1, 0, 0, 0, 0, 1]
    assert rows["Urban development"] == [0, 0, 0, 0, 0, 0, 0, 0]  # P15 counts as its meeting request
    assert categories.total == ["Total", 3, 1, 6, 1, 1, 0, 3, 15]


def test_the_channel_outcome_and_duration_tables_match_the_hand_count(october, english):
    office = section()
    channels = {row[0]: row[1:] for row in table(office, "petitions_by_channel").rows}
    #                     received, handled, made meeting requests, open, overdue
    assert channels["Mayor's SMS phone"] == [6, 6, 0, 1, 0]
    assert channels["Web board"] == [4, 3, 1, 0, 0]
    assert channels["National e-People portal"] == [2, 1, 0, 1, 1]
    assert channels["Phone call"] == [2, 1, 0, 1, 1]
    assert channels["Walk-in"] == [1, 1, 0, 0, 0]
    assert table(office, "petitions_by_channel").total == ["Total", 15, 12, 1, 3, 2]

    outcomes = dict(table(office, "petition_outcomes").rows)
    assert outcomes == {
        "Answered": 8,
        "Closed with guidance": 1,
        "Transferred to another agency": 1,
        "Merged as a repeated petition": 1,
        "Thanked": 1,
        "Became a meeting request": 1,
    }
    days = table(office, "petition_handling_days")
    by_channel = {row[0]: row[1:3] for row in days.rows}
    assert by_channel["Mayor's SMS phone"] == [6, 0.59]
    assert by_channel["Web board"] == [4, 2.66]
    assert by_channel["National e-People portal"] == [1, 0.25]
    assert by_channel["Walk-in"] == [0, None]
    assert days.total == ["Total", 11, 1.31, 0.25, 7.88]


def test_answers_transfers_quick_service_and_overdue_match_the_hand_count(october, english):
    office = section()
    answers = dict(table(office, "petition_answers_due").rows)
    assert answers == {
        "Answers due": 14,
        "Transferred or merged (not counted)": 2,
        "Answered on time": 8,
        "Answered late": 2,
        "Not answered": 2,
    }
    assert table(office, "petition_answers_due").total == ["Answer rate (%)", 66.7]
    assert table(office, "petition_transfers").rows == [["경찰서", 1]]
    quick = table(office, "petition_quick_service")
    assert [row[1] for row in quick.rows] == [3, 1, 2]
    assert quick.total == ["Compliance (%)", 33.3]
    overdue = table(office, "petitions_overdue")
    assert [row[0] for row in overdue.rows] == [october[13].reference, october[10].reference]
    assert overdue.rows[0][3] == "도로과"


def test_an_empty_month_has_zeros_and_the_same_tables(october, english):
    full, empty = section(), section(EMPTY_MONTH)
    assert [t.key for t in empty.tables] == [t.key for t in full.tables]
    assert [f.label for f in empty.figures] == [f.label for f in full.figures]
    assert empty.title == "Direct petitions: 0 handled / 0 meetings with the mayor"
    assert figure(empty, "Average handling time (working days)") is None
    assert figure(empty, "Answer rate (answered by the due time)") is None
    assert table(empty, "petitions_by_category").total == ["Total", 0, 0, 0, 0, 0, 0, 0, 0]


def test_the_half_year_adds_the_months_trends_and_channels(october, english):
    trends, channels, survey = reports.half_year_sections(SECOND_HALF)
    rows = {row[0]: row[1:] for row in table(trends, "petitions_trend").rows}
    october_row = rows["October 2026"]
    #   received, handled, with the mayor, average days, answer rate, quick in 30 min, transferred
    assert october_row == [15, 15, 2, 1.31, 66.7, 33.3, 1]
    assert rows["September 2026"][:3] == [1, 1, 0]  # P14 received; M3 answered in September, held in October
    received = {row[0]: row[-1] for row in table(channels, "petitions_received_by_channel").rows}
    assert received["October 2026"] == 15 and received["November 2026"] == 1
    assert survey.key == "petitions_survey" and survey.figures[0].value is None


def _bulk(count):
    """``count`` petitions of October, half closed, straight into the table."""
    start = Petition.objects.count()
    rows = []
    for index in range(count):
        received = at(10, 13, 10) + dt.timedelta(minutes=index)
        closed = received + dt.timedelta(hours=3) if index % 2 else None
        rows.append(
            Petition(
                reference=f"P2026-{50000 + start + index}",
                channel=list(rules.CHANNEL_LABELS)[index % 5],
                category=["roads", "parking", "welfare", "praise"][index % 4],
                kind=rules.QUICK if index % 7 == 0 else rules.GENERAL,
                status=[rules.ANSWERED, rules.TRANSFERRED][index % 4 == 1] if closed else rules.ASSIGNED,
                transfer_agency="경찰서",
                subject="민원",
                body="내용",
                received_at=received,
                answer_due_at=received + dt.timedelta(days=2),
                closed_at=closed,
            )
        )
    Petition.objects.bulk_create(rows)


def _queries(function, period):
    with CaptureQueriesContext(connection) as captured:
        function(period)
    return len(captured.captured_queries)


def test_the_report_runs_the_same_queries_for_10_and_1000_petitions(english):
    _bulk(10)
    monthly, half = _queries(reports.monthly_sections, OCTOBER), _queries(reports.half_year_sections, SECOND_HALF)
    _bulk(990)
    assert _queries(reports.monthly_sections, OCTOBER) == monthly
    assert _queries(reports.half_year_sections, SECOND_HALF) == half
    assert monthly <= 15
    # The overdue list shows the 30 longest overdue; the figure counts all 500.
    office = section()
    assert figure(office, "Overdue at the end of the month") == 500
    overdue = table(office, "petitions_overdue")
    assert len(overdue.rows) == 30 and "30 longest overdue of 500" in overdue.note


def test_the_report_renders_as_page_pdf_xlsx_and_csv(october, client, secretariat_user):
    client.force_login(secretariat_user)
    with translation.override("ko"):
        page = client.get("/staff/reports/monthly/2026-10/", HTTP_ACCEPT_LANGUAGE="ko")
        assert page.status_code == 200
        assert "15건 처리 / 시장 면담 2건" in page.content.decode()
        pdf = client.get("/staff/reports/monthly/2026-10.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        xlsx = client.get("/staff/reports/monthly/2026-10.xlsx")
        assert xlsx.status_code == 200
        with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
            assert any(name.startswith("xl/worksheets/") for name in book.namelist())
        files = client.get("/staff/reports/monthly/2026-10.csv")
        assert files.status_code == 200
        with zipfile.ZipFile(io.BytesIO(files.content)) as archive:
            assert "2026-10_petitions_by_category.csv" in archive.namelist()
            text = archive.read("2026-10_petitions_by_category.csv").decode("utf-8-sig")
        assert "도로/시설" in text or "도로" in text
        half = client.get("/staff/reports/half-year/2026-H2.pdf")
        assert half.status_code == 200 and half.content.startswith(b"%PDF")


def test_department_staff_may_not_read_the_report(october, client, department_user):
    client.force_login(department_user)
    assert client.get("/staff/reports/monthly/2026-10/").status_code == 403
