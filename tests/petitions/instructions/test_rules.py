"""The instructions' table: every legal move, every illegal pair refused in
Korean, and random sequences of actions (Hypothesis) that keep the record
consistent: the status is always the table's, a completed instruction
always has its report, a cancelled one its reason, the history has one
line per accepted action."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from petitions.errors import IllegalTransition
from petitions.instructions import rules, services
from petitions.instructions.models import Instruction

from .conftest import DUE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]


def test_the_table_is_closed_and_ends_where_it_says():
    statuses = set(rules.STATUS_ORDER)
    for transition in rules.TRANSITIONS:
        assert transition.source in statuses and transition.target in statuses
        assert transition.actors <= {rules.SECRETARIAT, rules.DEPARTMENT}
    # Nothing leaves "cancelled"; "completed" only by a return.
    assert rules.available(rules.CANCELLED, {rules.SECRETARIAT, rules.DEPARTMENT}) == []
    assert [t.action for t in rules.available(rules.COMPLETED, {rules.SECRETARIAT})] == ["return"]
    assert rules.available(rules.COMPLETED, {rules.DEPARTMENT}) == []


def _perform(action, instruction, actor, other_department):
    arguments = {
        "start": {},
        "note": {"note": "현장 확인"},
        "complete": {"report": "완료했습니다."},
        "return": {"reason": "사진이 없습니다."},
        "cancel": {"reason": "중복 지시"},
        "assign": {"department": other_department},
        "change_due": {"due_on": dt.date(2026, 12, 4), "reason": "예산 협의"},
    }[action]
    service = {
        "start": services.instruction_start,
        "note": services.instruction_note,
        "complete": services.instruction_complete,
        "return": services.instruction_return,
        "cancel": services.instruction_cancel,
        "assign": services.instruction_assign,
        "change_due": services.instruction_due_change,
    }[action]
    return service(instruction=instruction, actor=actor, **arguments)


@pytest.mark.parametrize("status", rules.STATUS_ORDER)
@pytest.mark.parametrize("action", rules.ACTIONS)
def test_each_illegal_pair_is_refused_in_korean(status, action, instruction, secretariat_user, parks):
    if rules.find(action, status) is not None:
        return
    Instruction.objects.filter(pk=instruction.pk).update(
        status=status, completion_report="보고", completed_at=instruction.created_at, cancel_reason="사유"
    )
    with pytest.raises(IllegalTransition, match="지시사항"):
        _perform(action, instruction, secretariat_user, parks)
    assert Instruction.objects.get(pk=instruction.pk).status == status


def test_the_department_may_not_return_cancel_or_reassign(instruction, roads_user, parks):
    for action in ("cancel", "assign", "change_due"):
        with pytest.raises(IllegalTransition, match="지시사항"):
            _perform(action, instruction, roads_user, parks)
    _perform("start", instruction, roads_user, parks)
    _perform("complete", instruction, roads_user, parks)
    with pytest.raises(IllegalTransition):
        _perform("return", instruction, roads_user, parks)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(rules.ACTIONS), st.booleans()), max_size=12))
def test_random_sequences_keep_the_record_consistent(steps, record, secretariat_user, roads_user, roads, parks):
    instruction = record(due_on=DUE)
    expected, accepted = rules.ISSUED, 1  # the "record" line
    department = roads
    for action, as_department in steps:
        actor = roads_user if as_department else secretariat_user
        holder_may = department == roads or not as_department
        other = parks if department == roads else roads
        step = rules.find(action, expected)
        allowed = (
            step is not None
            and holder_may
            and (rules.DEPARTMENT if as_department else rules.SECRETARIAT) in step.actors
        )
        try:
            _perform(action, instruction, actor, other)
        except (IllegalTransition, services.InstructionError, PermissionError) as error:
            assert not allowed or isinstance(error, services.InstructionError), (action, expected, error)
            if isinstance(error, services.InstructionError):
                assert action == "change_due"  # the same date twice
            continue
        except Exception as error:  # PermissionDenied: a department no longer holding it
            assert not holder_may, (action, expected, error)
            continue
        assert allowed, (action, expected)
        expected, accepted = step.target, accepted + 1
        if action == "assign":
            department = other
    instruction.refresh_from_db()
    assert instruction.status == expected
    assert instruction.history.count() == accepted
    if instruction.status == rules.COMPLETED:
        assert instruction.completion_report and instruction.completed_at
    else:
        assert instruction.completed_at is None
    if instruction.status == rules.CANCELLED:
        assert instruction.cancel_reason and instruction.cancelled_at
