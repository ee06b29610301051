"""Reads of the mayor's instructions: who sees which (the one scope), who
acts on one as what, which are overdue (the one rule), the board, the
management card's panel and the monthly report's figures. Never writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from petitions.instructions import rules
from petitions.instructions.models import Instruction
from scheduling.access import user_department_id

#: The secretariat records and manages every instruction.
MANAGE = "petitions.change_instruction"
ADD = "petitions.add_instruction"
#: Department staff see their own department's instructions.
VIEW = "petitions.view_instruction"


# --- Who sees, who acts -------------------------------------------------------------


def instruction_scope(user) -> QuerySet[Instruction]:
    """The instructions ``user`` may see: all for the secretariat, their own
    department's for department staff, none for anyone else."""
    if user.has_perm(MANAGE):
        return Instruction.objects.all()
    department_id = user_department_id(user)
    if department_id is None or not user.has_perm(VIEW):
        return Instruction.objects.none()
    return Instruction.objects.filter(department_id=department_id)


def sees_all(user) -> bool:
    return user.has_perm(MANAGE)


def actors_for(user, instruction: Instruction) -> frozenset[str]:
    """The roles of ``rules`` that ``user`` acts in on ``instruction``."""
    actors = set()
    if user.has_perm(MANAGE):
        actors.add(rules.SECRETARIAT)
    department_id = user_department_id(user)
    if department_id is not None and department_id == instruction.department_id and user.has_perm(VIEW):
        actors.add(rules.DEPARTMENT)
    return frozenset(actors)


# --- Overdue: the one rule ------------------------------------------------------------


def overdue_q(today: dt.date) -> Q:
    """Not completed or cancelled, and its due date has passed."""
    return Q(status__in=rules.OPEN, due_on__lt=today)


def overdue(instructions: QuerySet[Instruction], today: dt.date | None = None) -> QuerySet[Instruction]:
    return instructions.filter(overdue_q(today or timezone.localdate()))


def with_overdue(instructions: QuerySet[Instruction], today: dt.date | None = None) -> QuerySet[Instruction]:
    """``instructions`` annotated with ``is_overdue`` (no extra query)."""
    return instructions.annotate(
        is_overdue=Case(
            When(overdue_q(today or timezone.localdate()), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def is_overdue(instruction: Instruction, today: dt.date | None = None) -> bool:
    """The same rule for one instruction in hand."""
    return instruction.status in rules.OPEN and instruction.due_on < (today or timezone.localdate())


# --- The board ----------------------------------------------------------------------------


@dataclass
class BoardFilters:
    status: str = ""
    department_id: int | None = None
    neighborhood_id: int | None = None
    source: str = ""
    overdue_only: bool = False
    query: str = ""


def board_rows(user, filters: BoardFilters, today: dt.date | None = None) -> list[Instruction]:
    """The instructions of the board for ``user``, filtered, with what the
    rows print loaded (one query whatever their number)."""
    today = today or timezone.localdate()
    rows = instruction_scope(user)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.department_id:
        rows = rows.filter(department_id=filters.department_id)
    if filters.neighborhood_id:
        rows = rows.filter(neighborhood_id=filters.neighborhood_id)
    if filters.source:
        rows = rows.filter(source=filters.source)
    if filters.overdue_only:
        rows = overdue(rows, today)
    if filters.query:
        rows = rows.filter(Q(title__icontains=filters.query) | Q(reference__icontains=filters.query))
    rows = with_overdue(rows, today).select_related("department", "neighborhood")
    return list(rows.order_by("department__name", "due_on", "pk"))


def instruction_for_page(instructions: QuerySet[Instruction], pk: int) -> Instruction:
    return instructions.select_related(
        "department", "neighborhood", "origin_visit", "origin_meeting_request", "origin_petition", "created_by"
    ).get(pk=pk)


# --- The management card's panel -------------------------------------------------------------

CARD_LIMIT = 50


def for_neighborhood(user, neighborhood, today: dt.date | None = None) -> list[Instruction]:
    """The instructions concerning ``neighborhood`` that ``user`` may see:
    open ones first (overdue first among them), then the latest closed."""
    rows = with_overdue(instruction_scope(user).filter(neighborhood=neighborhood), today).select_related("department")
    open_first = Case(When(status__in=rules.OPEN, then=Value(0)), default=Value(1))
    return list(rows.order_by(open_first, "-is_overdue", "due_on", "-pk")[:CARD_LIMIT])


# --- The monthly report --------------------------------------------------------------------


def month_figures(since: dt.datetime, until: dt.datetime) -> list[dict]:
    """For each department, over the local dates [since, until): the
    instructions due in the span (not cancelled before its end), those of
    them completed by its end, and those overdue at its end (due before the
    end and neither completed nor cancelled by then). One query."""
    start, end = timezone.localdate(since), timezone.localdate(until)
    alive = ~Q(status=rules.CANCELLED) | Q(cancelled_at__gte=until)
    done_by_end = Q(status=rules.COMPLETED, completed_at__lt=until)
    rows = (
        Instruction.objects.filter(alive, due_on__lt=end)
        .values("department_id", "department__name")
        .annotate(
            due=Count("pk", filter=Q(due_on__gte=start, due_on__lt=end)),
            done=Count("pk", filter=Q(due_on__gte=start, due_on__lt=end) & done_by_end),
            overdue=Count("pk", filter=Q(due_on__lt=end) & ~done_by_end),
        )
        .order_by("department__name")
    )
    return [row for row in rows if row["due"] or row["overdue"]]
