"""The monthly report's instruction line, hand-counted: per department, due
in the month, done of those by its end, overdue at its end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from petitions.instructions import reports, services
from petitions.instructions.models import Instruction
from scheduling.clock import SEOUL
from scheduling.reports.core import Period, report_sources

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]

OCTOBER = Period(dt.date(2026, 10, 1), dt.date(2026, 11, 1), "2026년 10월", "2026-10")


def _at(instruction, **fields):
    Instruction.objects.filter(pk=instruction.pk).update(**fields)


def test_the_month_line_is_the_hand_count(record, parks, secretariat_user, roads_user):
    given = dt.date(2026, 9, 1)
    # 도로과: due in October ×3 (one done in October, one done in November: late, one open),
    # one due in September still open at the end of October, one due in November (not counted).
    done_in_time = record(instructed_on=given, due_on=dt.date(2026, 10, 15))
    done_late = record(instructed_on=given, due_on=dt.date(2026, 10, 20))
    still_open = record(instructed_on=given, due_on=dt.date(2026, 10, 30))
    september = record(instructed_on=given, due_on=dt.date(2026, 9, 30))
    record(instructed_on=given, due_on=dt.date(2026, 11, 20))
    for instruction in (done_in_time, done_late):
        services.instruction_start(instruction=instruction, actor=roads_user)
        services.instruction_complete(instruction=instruction, report="완료", actor=roads_user)
    _at(done_in_time, completed_at=dt.datetime(2026, 10, 14, 15, tzinfo=SEOUL))
    _at(done_late, completed_at=dt.datetime(2026, 11, 3, 9, tzinfo=SEOUL))
    # 공원녹지과: one due in October, cancelled in October (not counted), one cancelled in November (counted, overdue).
    cancelled = record(instructed_on=given, due_on=dt.date(2026, 10, 8), department=parks)
    cancelled_later = record(instructed_on=given, due_on=dt.date(2026, 10, 13), department=parks)
    for instruction, when in ((cancelled, dt.datetime(2026, 10, 5, tzinfo=SEOUL)), (cancelled_later, timezone.now())):
        services.instruction_cancel(instruction=instruction, reason="중복", actor=secretariat_user)
        _at(instruction, cancelled_at=when)
    assert september and still_open

    (section,) = reports.instruction_section(OCTOBER)
    table = section.tables[0]
    assert table.rows == [["공원녹지과", 1, 0, 1], ["도로과", 3, 1, 3]]
    assert table.total == ["합계", 4, 1, 4] or table.total[1:] == [4, 1, 4]
    assert [f.value for f in section.figures] == [4, 25.0, 4]


def test_the_source_is_registered_for_the_monthly_report():
    source = next(s for s in report_sources() if s.key == "instructions")
    assert source.monthly is reports.instruction_section
