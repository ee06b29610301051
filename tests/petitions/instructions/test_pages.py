"""The instructions' pages: who may see and act (the secretariat; the
department of the instruction; not another department, not a stranger),
the board's filters and constant queries from 10 to 1,000 instructions,
recording from a visit's or a meeting's link, and the instructions on the
neighborhood's management card."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from petitions.instructions import rules
from petitions.instructions.models import Instruction
from scheduling.clock import SEOUL
from scheduling.models import Official
from scheduling.services import official_create
from visits.models import FieldVisit

from .conftest import DUE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]


def test_the_secretariat_sees_the_board_and_every_instruction(client, secretariat_user, instruction):
    client.force_login(secretariat_user)
    board = client.get("/staff/instructions/").content.decode()
    assert instruction.title in board and "도로과" in board and "지시사항 등록" in board
    page = client.get(f"/staff/instructions/{instruction.pk}/").content.decode()
    assert instruction.reference in page and "지시사항 취소" in page and "처리 기한 변경" in page


def test_the_department_sees_only_its_own_and_acts_on_it(client, roads_user, parks_user, instruction, record, parks):
    other = record(title="공원 의자 교체", department=parks)
    client.force_login(roads_user)
    board = client.get("/staff/instructions/").content.decode()
    assert instruction.title in board and other.title not in board
    assert client.get(f"/staff/instructions/{other.pk}/").status_code == 404
    assert client.post(f"/staff/instructions/{other.pk}/note/", {"note-note": "x"}).status_code == 404
    page = client.get(f"/staff/instructions/{instruction.pk}/").content.decode()
    assert "추진 시작" in page and "지시사항 취소" not in page
    response = client.post(f"/staff/instructions/{instruction.pk}/start/", {"start-note": ""})
    assert response.status_code == 302
    assert Instruction.objects.get(pk=instruction.pk).status == rules.IN_PROGRESS
    # The department may not cancel: refused in Korean on the page, nothing changed.
    refused = client.post(f"/staff/instructions/{instruction.pk}/cancel/", {"cancel-reason": "중복"})
    assert refused.status_code == 200 and "권한이 없습니다" in refused.content.decode()
    assert Instruction.objects.get(pk=instruction.pk).status == rules.IN_PROGRESS
    assert client.get("/staff/instructions/new/").status_code == 403


def test_strangers_and_officials_see_nothing(client, stranger, official_user, instruction):
    client.force_login(stranger)
    assert client.get("/staff/instructions/").status_code == 403
    client.force_login(official_user)
    assert client.get("/staff/instructions/").status_code == 403
    assert client.get(f"/staff/instructions/{instruction.pk}/").status_code == 404
    client.logout()
    assert client.get("/staff/instructions/").status_code == 302


def test_completing_without_a_report_shows_the_korean_message(client, roads_user, instruction):
    client.force_login(roads_user)
    client.post(f"/staff/instructions/{instruction.pk}/start/", {})
    response = client.post(f"/staff/instructions/{instruction.pk}/complete/", {"complete-report": ""})
    assert response.status_code == 200
    assert Instruction.objects.get(pk=instruction.pk).status == rules.IN_PROGRESS
    client.post(f"/staff/instructions/{instruction.pk}/complete/", {"complete-report": "조치 완료"})
    assert Instruction.objects.get(pk=instruction.pk).status == rules.COMPLETED
    assert "조치 완료" in client.get(f"/staff/instructions/{instruction.pk}/").content.decode()


def test_recording_from_a_visit_prefills_and_links_it(client, secretariat_user, hood, roads):
    mayor = official_create(name="한상민", title="시장", rank=Official.Rank.MAYOR)
    start = dt.datetime(2026, 11, 16, 10, tzinfo=SEOUL)
    visit = FieldVisit.objects.create(neighborhood=hood, official=mayor, start=start, end=start + dt.timedelta(hours=1))
    client.force_login(secretariat_user)
    record_page = client.get(f"/staff/visits/records/{visit.pk}/").content.decode()
    assert f"/staff/instructions/new/?visit={visit.pk}" in record_page
    form = client.get(f"/staff/instructions/new/?visit={visit.pk}").content.decode()
    assert "중앙동 동방문" in form and f'value="{visit.pk}"' in form
    response = client.post(
        "/staff/instructions/new/",
        {
            "title": "보도 턱 낮추기",
            "instructed_on": "2026-11-16",
            "department": roads.pk,
            "due_on": "2026-12-25",
            "visit": visit.pk,
        },
    )
    assert "근무일이 아닙니다" in response.content.decode()
    response = client.post(
        "/staff/instructions/new/",
        {
            "title": "보도 턱 낮추기",
            "instructed_on": "2026-11-16",
            "department": roads.pk,
            "due_on": "2026-12-04",
            "visit": visit.pk,
        },
    )
    instruction = Instruction.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/instructions/{instruction.pk}/"
    assert instruction.origin_visit == visit and instruction.neighborhood == hood
    assert instruction.source == Instruction.Source.VISIT


def test_the_record_link_shows_only_to_who_may_record(client, roads_user, hood):
    mayor = official_create(name="한상민", title="시장", rank=Official.Rank.MAYOR)
    start = dt.datetime(2026, 11, 16, 10, tzinfo=SEOUL)
    visit = FieldVisit.objects.create(neighborhood=hood, official=mayor, start=start, end=start + dt.timedelta(hours=1))
    client.force_login(roads_user)
    page = client.get(f"/staff/visits/records/{visit.pk}/")
    assert "/staff/instructions/new/" not in page.content.decode()


def test_the_card_shows_the_instructions_of_its_neighborhood(
    client, secretariat_user, roads_user, parks_user, record, parks, hood
):
    mine = record(title="횡단보도 설치 검토", instructed_on=dt.date(2026, 11, 2), due_on=dt.date(2026, 11, 16))
    theirs = record(title="공원 가로등", department=parks)
    client.force_login(secretariat_user)
    card = client.get(f"/staff/cards/{hood.code}/").content.decode()
    assert "시장 지시사항" in card and mine.title in card and theirs.title in card
    assert "기한 지남" in card or "Overdue" in card or "기한" in card
    client.force_login(roads_user)
    card = client.get(f"/staff/cards/{hood.code}/").content.decode()
    assert mine.title in card and theirs.title not in card


def test_the_board_filters_and_marks_the_overdue(client, secretariat_user, record, parks):
    late = record(title="늦은 지시", instructed_on=dt.date(2026, 11, 2), due_on=dt.date(2026, 11, 16))
    record(title="공원 지시", department=parks)
    client.force_login(secretariat_user)
    page = client.get("/staff/instructions/?overdue=1").content.decode()
    assert late.title in page and "공원 지시" not in page and "is-late" in page
    page = client.get(f"/staff/instructions/?department={parks.pk}&group=status").content.decode()
    assert "공원 지시" in page and late.title not in page
    assert client.get("/staff/instructions/?department=abc&status=nope&q=" + "x" * 500).status_code in (200, 400)


@pytest.mark.parametrize("login", ["secretariat", "department"])
def test_the_board_runs_the_same_queries_for_10_and_1000_instructions(
    client, login, secretariat_user, roads_user, roads, hood
):
    def fill(count):
        Instruction.objects.bulk_create(
            Instruction(
                reference=f"I2026-{n:05d}",
                title=f"지시 {n}",
                instructed_on=dt.date(2026, 11, 2),
                department=roads,
                neighborhood=hood,
                due_on=DUE if n % 2 else dt.date(2026, 11, 16),
            )
            for n in range(Instruction.objects.count(), count)
        )

    client.force_login(secretariat_user if login == "secretariat" else roads_user)
    counts = []
    for total in (10, 1000):
        fill(total)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/staff/instructions/")
        assert response.status_code == 200
        counts.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/staff/cards/{hood.code}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts
