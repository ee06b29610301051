"""Recording an instruction and following it: where it came from, a working
day as its due date (refused in Korean otherwise), the completion report,
overdue on the pinned day (Tue 17 Nov 2026), and the daily reminder."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from petitions.instructions import rules, selectors, services
from petitions.instructions.models import Instruction, InstructionNotification
from petitions.instructions.notifications import overdue_instructions_remind
from scheduling.clock import SEOUL
from scheduling.models import CityClosure, Official
from scheduling.services import official_create
from visits.models import FieldVisit

from .conftest import DUE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]


def test_each_instruction_gets_the_next_reference_and_its_history(record, pinned_today):
    first, second = record(), record(title="가로등 교체")
    assert first.reference == f"I{pinned_today.year}-0001"
    assert second.reference == f"I{pinned_today.year}-0002"
    assert first.status == rules.ISSUED and first.instructed_on == pinned_today
    assert [e.action for e in first.history.all()] == ["record"]


def test_an_instruction_from_a_visit_takes_its_neighborhood_and_source(record, hood):
    mayor = official_create(name="한상민", title="시장", rank=Official.Rank.MAYOR)
    start = dt.datetime(2026, 11, 10, 10, tzinfo=SEOUL)
    visit = FieldVisit.objects.create(neighborhood=hood, official=mayor, start=start, end=start + dt.timedelta(hours=1))
    instruction = record(neighborhood=None, origin_visit=visit, instructed_on=dt.date(2026, 11, 10))
    assert instruction.source == Instruction.Source.VISIT
    assert instruction.neighborhood == hood


@pytest.mark.parametrize(
    ("due", "reason"),
    [
        (dt.date(2026, 12, 25), "기독탄신일"),  # Christmas, a Friday
        (dt.date(2026, 11, 21), "토요일"),
        (dt.date(2026, 11, 26), "개청 기념 휴무"),  # a city closure, below
    ],
)
def test_a_due_date_on_a_day_off_is_refused_in_korean(record, due, reason):
    CityClosure.objects.create(date=dt.date(2026, 11, 26), name="개청 기념 휴무")
    with pytest.raises(services.InstructionError, match=f"근무일이 아닙니다.*{reason}"):
        record(due_on=due)
    assert not Instruction.objects.exists()


def test_a_due_date_before_the_instruction_is_refused(record):
    with pytest.raises(services.InstructionError, match="지시일"):
        record(due_on=dt.date(2026, 11, 16))


def test_completion_needs_a_report_and_a_return_reopens_it(instruction, roads_user, secretariat_user):
    services.instruction_start(instruction=instruction, actor=roads_user)
    with pytest.raises(services.InstructionError, match="완료 보고"):
        services.instruction_complete(instruction=instruction, report="  ", actor=roads_user)
    done = services.instruction_complete(instruction=instruction, report="신호 10초 연장", actor=roads_user)
    assert done.status == rules.COMPLETED and done.completed_at and done.completion_report == "신호 10초 연장"
    back = services.instruction_return(instruction=done, reason="사진을 붙여 주세요", actor=secretariat_user)
    assert back.status == rules.IN_PROGRESS and back.completed_at is None
    assert [e.action for e in back.history.all()] == ["record", "start", "complete", "return"]


def test_notes_are_dated_and_name_who_wrote_them(instruction, roads_user):
    services.instruction_note(instruction=instruction, note="현장 확인 완료", actor=roads_user)
    note = instruction.history.get(action="note")
    assert note.actor == roads_user and note.note == "현장 확인 완료" and note.at is not None


def test_another_department_may_not_act(instruction, parks_user, stranger):
    for user in (parks_user, stranger):
        with pytest.raises(PermissionDenied):
            services.instruction_note(instruction=instruction, note="x", actor=user)
    assert instruction.history.count() == 1


def test_a_reassigned_instruction_moves_to_the_other_department(instruction, secretariat_user, parks, parks_user):
    services.instruction_assign(instruction=instruction, department=parks, actor=secretariat_user)
    services.instruction_note(instruction=instruction, note="인수했습니다.", actor=parks_user)
    assert Instruction.objects.get(pk=instruction.pk).department == parks
    with pytest.raises(services.InstructionError, match="이미"):
        services.instruction_assign(instruction=instruction, department=parks, actor=secretariat_user)


def test_the_due_date_changes_only_to_a_working_day_with_a_reason(instruction, secretariat_user):
    with pytest.raises(services.InstructionError, match="사유"):
        services.instruction_due_change(
            instruction=instruction, due_on=dt.date(2026, 12, 4), reason="", actor=secretariat_user
        )
    with pytest.raises(services.InstructionError, match="근무일"):
        services.instruction_due_change(
            instruction=instruction, due_on=dt.date(2026, 12, 25), reason="예산", actor=secretariat_user
        )
    changed = services.instruction_due_change(
        instruction=instruction, due_on=dt.date(2026, 12, 4), reason="예산 협의", actor=secretariat_user
    )
    assert changed.due_on == dt.date(2026, 12, 4)
    assert "예산 협의" in changed.history.get(action="change_due").note


def test_overdue_on_the_pinned_day(record, secretariat_user, roads_user, pinned_today):
    late = record(instructed_on=dt.date(2026, 11, 2), due_on=dt.date(2026, 11, 16))
    today = record(instructed_on=dt.date(2026, 11, 2), due_on=pinned_today)
    done = record(instructed_on=dt.date(2026, 11, 2), due_on=dt.date(2026, 11, 13))
    services.instruction_start(instruction=done, actor=roads_user)
    services.instruction_complete(instruction=done, report="완료", actor=roads_user)
    cancelled = record(instructed_on=dt.date(2026, 11, 2), due_on=dt.date(2026, 11, 13))
    services.instruction_cancel(instruction=cancelled, reason="중복", actor=secretariat_user)

    assert list(selectors.overdue(Instruction.objects.all())) == [late]
    flags = dict(selectors.with_overdue(Instruction.objects.all()).values_list("pk", "is_overdue"))
    assert flags == {late.pk: True, today.pk: False, done.pk: False, cancelled.pk: False}
    assert selectors.is_overdue(late) and not selectors.is_overdue(today)


def test_the_overdue_reminder_goes_once_a_day_to_the_department(record, roads_user, parks_user, pinned_clock):
    late = record(instructed_on=dt.date(2026, 11, 2), due_on=dt.date(2026, 11, 16))
    record(due_on=DUE)  # not due yet

    assert overdue_instructions_remind() == 1
    assert overdue_instructions_remind() == 0  # the same day: nothing more
    message = InstructionNotification.objects.get()
    assert message.recipient == "roads@city.example" and message.instruction == late
    assert late.reference in message.subject and "기한" in message.subject
    assert "1일 경과" in message.body

    pinned_clock.shift(dt.timedelta(days=1))
    assert overdue_instructions_remind() == 1
    assert InstructionNotification.objects.count() == 2
    assert not InstructionNotification.objects.filter(recipient="parks@city.example").exists()
