"""Writes for the mayor's instructions (지시사항): recording one, moving it
along ``petitions.instructions.rules`` (start, complete with a report,
return, cancel with a reason), reassigning it, changing its due date with a
reason, and progress notes. Every write locks the instruction's row and
checks the table against the status it finds there, and who acts as what
(``selectors.actors_for``); every step is an ``InstructionEvent``."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from petitions.errors import IllegalTransition, PetitionError
from petitions.instructions import rules, selectors
from petitions.instructions.models import Instruction, InstructionCounter, InstructionEvent
from scheduling.dates import korean_date
from scheduling.workdays import non_working_reason


class InstructionError(PetitionError):
    """Anything staff can get wrong about an instruction; shown as it is."""


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def next_reference(year: int) -> str:
    """The next reference of ``year``, I2026-0001 and on, under a row lock."""
    InstructionCounter.objects.bulk_create([InstructionCounter(year=year)], ignore_conflicts=True)
    counter = InstructionCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"I{year}-{counter.last_number:04d}"


def due_date_check(day: dt.date | None, *, not_before: dt.date | None = None) -> dt.date:
    """A due date must be a working day (no weekend, public holiday or city
    closure), and not before the instruction was given."""
    if day is None:
        raise InstructionError(_("Give the date the instruction is due."))
    reason = non_working_reason(day)
    if reason:
        raise InstructionError(
            _("%(day)s is not a working day (%(reason)s). Choose a working day for the due date.")
            % {"day": korean_date(day), "reason": reason}
        )
    if not_before is not None and day < not_before:
        raise InstructionError(
            _("The due date cannot be before the day of the instruction (%(day)s).") % {"day": korean_date(not_before)}
        )
    return day


def _event(instruction: Instruction, action: str, actor, *, from_status: str = "", note: str = "", at=None):
    return InstructionEvent.objects.create(
        instruction=instruction,
        at=at or timezone.now(),
        actor=_user(actor),
        action=action,
        from_status=from_status,
        to_status=instruction.status,
        note=note,
    )


def _full_clean(instruction: Instruction) -> None:
    try:
        instruction.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        messages = [m for field_messages in error.message_dict.values() for m in field_messages]
        raise InstructionError(messages[0], errors=messages) from error


def _source_of(origin_visit, origin_meeting_request, origin_petition) -> str:
    if origin_visit is not None:
        return Instruction.Source.VISIT
    if origin_meeting_request is not None:
        return Instruction.Source.MEETING
    if origin_petition is not None:
        return Instruction.Source.PETITION
    return Instruction.Source.OTHER


@transaction.atomic
def instruction_record(
    *,
    title: str,
    department,
    due_on: dt.date | None,
    text: str = "",
    instructed_on: dt.date | None = None,
    neighborhood=None,
    origin_visit=None,
    origin_meeting_request=None,
    origin_petition=None,
    actor,
) -> Instruction:
    """Record what the mayor instructed, assigned to ``department`` by
    ``due_on`` (a working day). Where it came from (a field visit, a meeting
    request, a petition) gives its source and, unless given, its
    neighborhood. The secretariat only."""
    if actor is not None and not actor.has_perm(selectors.ADD):
        raise PermissionDenied
    title = " ".join((title or "").split())
    if not title:
        raise InstructionError(_("Write what the mayor instructed."))
    if department is None:
        raise InstructionError(_("Choose the department that carries out the instruction."))
    instructed_on = instructed_on or timezone.localdate()
    due_date_check(due_on, not_before=instructed_on)
    if neighborhood is None:
        origin = origin_visit or origin_meeting_request or origin_petition
        neighborhood = getattr(origin, "neighborhood", None)
    instruction = Instruction(
        reference=next_reference(instructed_on.year),
        title=title[:200],
        text=(text or "").strip(),
        source=_source_of(origin_visit, origin_meeting_request, origin_petition),
        instructed_on=instructed_on,
        origin_visit=origin_visit,
        origin_meeting_request=origin_meeting_request,
        origin_petition=origin_petition,
        neighborhood=neighborhood,
        department=department,
        due_on=due_on,
        created_by=_user(actor),
    )
    _full_clean(instruction)
    instruction.save()
    _event(instruction, "record", actor, note=department.name)
    return instruction


def _locked(instruction: Instruction) -> Instruction:
    return Instruction.objects.select_for_update().select_related("department").get(pk=instruction.pk)


def _step(instruction: Instruction, action: str, actor) -> rules.Transition:
    """The table's transition for ``action`` from the status found under the
    lock, if ``actor`` may take it; a Korean refusal otherwise."""
    step = rules.find(action, instruction.status)
    if step is None:
        raise IllegalTransition(
            _("An instruction that is “%(status)s” cannot be moved by “%(action)s”.")
            % {"status": rules.STATUS_LABELS[instruction.status], "action": rules.action_label(action)}
        )
    actors = selectors.actors_for(actor, instruction)
    if not actors:
        raise PermissionDenied
    if not step.actors & actors:
        raise IllegalTransition(_("You may not “%(action)s” on this instruction.") % {"action": step.label})
    return step


def _move(instruction: Instruction, action: str, actor, *, note: str = "", prepare=None) -> Instruction:
    instruction = _locked(instruction)
    step = _step(instruction, action, actor)
    previous = instruction.status
    if prepare is not None:
        prepare(instruction)
    instruction.status = step.target
    _full_clean(instruction)
    instruction.save()
    _event(instruction, action, actor, from_status=previous, note=note)
    return instruction


def _required(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InstructionError(message)
    return text


@transaction.atomic
def instruction_start(*, instruction: Instruction, actor, note: str = "") -> Instruction:
    """The department starts the work."""
    return _move(instruction, "start", actor, note=(note or "").strip())


@transaction.atomic
def instruction_note(*, instruction: Instruction, note: str, actor) -> Instruction:
    """A dated progress note (the department or the secretariat)."""
    note = _required(note, _("Write the progress note."))
    return _move(instruction, "note", actor, note=note)


@transaction.atomic
def instruction_complete(*, instruction: Instruction, report: str, actor) -> Instruction:
    """The department reports the instruction done; the report is required."""
    report = _required(report, _("Write the completion report: what was done."))

    def prepare(locked):
        locked.completion_report = report
        locked.completed_at = timezone.now()

    return _move(instruction, "complete", actor, note=report, prepare=prepare)


@transaction.atomic
def instruction_return(*, instruction: Instruction, reason: str, actor) -> Instruction:
    """The secretariat sends a completion report back: in progress again."""
    reason = _required(reason, _("Say why the completion report is returned."))

    def prepare(locked):
        locked.completed_at = None

    return _move(instruction, "return", actor, note=reason, prepare=prepare)


@transaction.atomic
def instruction_cancel(*, instruction: Instruction, reason: str, actor) -> Instruction:
    """The secretariat cancels an open instruction, with the reason."""
    reason = _required(reason, _("Say why the instruction is cancelled."))

    def prepare(locked):
        locked.cancel_reason = reason[:300]
        locked.cancelled_at = timezone.now()

    return _move(instruction, "cancel", actor, note=reason, prepare=prepare)


@transaction.atomic
def instruction_assign(*, instruction: Instruction, department, actor, note: str = "") -> Instruction:
    """The secretariat hands an open instruction to another department."""
    if department is None:
        raise InstructionError(_("Choose the department that carries out the instruction."))
    locked = _locked(instruction)
    if department.pk == locked.department_id:
        raise InstructionError(_("The instruction is already with %(department)s.") % {"department": department.name})
    previous = locked.department.name

    def prepare(row):
        row.department = department

    text = _("From %(old)s to %(new)s") % {"old": previous, "new": department.name}
    note = (note or "").strip()
    return _move(locked, "assign", actor, note=f"{text}. {note}" if note else text, prepare=prepare)


@transaction.atomic
def instruction_due_change(*, instruction: Instruction, due_on: dt.date | None, reason: str, actor) -> Instruction:
    """The secretariat moves the due date of an open instruction (a working
    day), with the reason."""
    reason = _required(reason, _("Say why the due date changes."))
    locked = _locked(instruction)
    due_date_check(due_on, not_before=locked.instructed_on)
    if due_on == locked.due_on:
        raise InstructionError(_("The instruction is already due on %(day)s.") % {"day": korean_date(due_on)})
    text = _("Due date %(old)s → %(new)s: %(reason)s") % {
        "old": korean_date(locked.due_on),
        "new": korean_date(due_on),
        "reason": reason,
    }

    def prepare(row):
        row.due_on = due_on

    return _move(locked, "change_due", actor, note=text, prepare=prepare)
