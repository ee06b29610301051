"""The petition office's rules as data (no ORM): the kinds of petition and
their answer limits, the channels, the statuses and the one table of which
status may follow which, by what action, and who may take it. Services,
pages and tests read the same table (like ``visits/cards/workflow.py``).

received ─assign→ assigned ─draft→ drafted ─approve→ answered
                  assigned ←return─ drafted            (the secretariat sends the draft back)
received ─answer→ answered                              (the office answers itself: a simple question)
received ─dispatch→ dispatched ─resolve→ answered       (생활불편 신속처리: a field team, closed with a photo)
received │ assigned ─guide→ guided │ ─transfer→ transferred │ ─merge→ merged │ ─to_meeting→ meeting
received ─thank→ thanked                                (praise and greetings: recorded and thanked)
assigned ─extend→ assigned (once), assigned ─reassign→ assigned
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from scheduling.workflow import Transition, Workflow, steps

# --- Statuses ---------------------------------------------------------------------------

RECEIVED = "received"
ASSIGNED = "assigned"
DRAFTED = "drafted"
DISPATCHED = "dispatched"
ANSWERED = "answered"
GUIDED = "guided"
TRANSFERRED = "transferred"
MERGED = "merged"
THANKED = "thanked"
MEETING = "meeting"

STATUS_LABELS = {
    RECEIVED: _("Received"),
    ASSIGNED: _("With the department"),
    DRAFTED: _("Answer awaiting approval"),
    DISPATCHED: _("Field team dispatched"),
    ANSWERED: _("Answered"),
    GUIDED: _("Closed with guidance"),
    TRANSFERRED: _("Transferred to another agency"),
    MERGED: _("Merged as a repeated petition"),
    THANKED: _("Thanked"),
    MEETING: _("Became a meeting request"),
}
STATUS_ORDER = tuple(STATUS_LABELS)

#: Where a petition ends. Every closed status counts as "handled" (처리) in
#: the office's monthly line; only ANSWERED, GUIDED and MEETING are answers
#: to the citizen from this office (the answer rate's numerator, with
#: THANKED), a transfer is answered by the other agency, a merged petition
#: by the one it joined.
CLOSED = frozenset({ANSWERED, GUIDED, TRANSFERRED, MERGED, THANKED, MEETING})
OPEN = frozenset(STATUS_ORDER) - CLOSED
#: The department owes the next step.
DEPARTMENT_OWES = frozenset({ASSIGNED})
#: The secretariat owes the next step.
SECRETARIAT_OWES = frozenset({RECEIVED, DRAFTED})

# --- Who acts ---------------------------------------------------------------------------

SECRETARIAT = "secretariat"
DEPARTMENT = "department"  # staff of the petition's owning department (or the quick-service field team)


TRANSITIONS: tuple[Transition, ...] = (
    *steps("assign", (RECEIVED,), ASSIGNED, _("Assign to a department"), SECRETARIAT),
    *steps("reassign", (ASSIGNED,), ASSIGNED, _("Assign to another department"), SECRETARIAT),
    *steps("extend", (ASSIGNED,), ASSIGNED, _("Extend the deadline once"), SECRETARIAT, DEPARTMENT),
    *steps("draft", (ASSIGNED,), DRAFTED, _("Submit the department's answer"), DEPARTMENT),
    *steps("return", (DRAFTED,), ASSIGNED, _("Send the answer back to the department"), SECRETARIAT),
    *steps("approve", (DRAFTED,), ANSWERED, _("Approve and send the answer"), SECRETARIAT),
    *steps("answer", (RECEIVED,), ANSWERED, _("Answer directly"), SECRETARIAT),
    *steps("dispatch", (RECEIVED,), DISPATCHED, _("Dispatch the field team"), SECRETARIAT),
    *steps("resolve", (DISPATCHED,), ANSWERED, _("Record the fix with a photo"), SECRETARIAT, DEPARTMENT),
    *steps("guide", (RECEIVED, ASSIGNED), GUIDED, _("Close with guidance"), SECRETARIAT),
    *steps("transfer", (RECEIVED, ASSIGNED), TRANSFERRED, _("Transfer to another agency"), SECRETARIAT),
    *steps("merge", (RECEIVED, ASSIGNED), MERGED, _("Merge as a repeated petition"), SECRETARIAT),
    *steps("thank", (RECEIVED,), THANKED, _("Thank and close"), SECRETARIAT),
    *steps("to_meeting", (RECEIVED, ASSIGNED), MEETING, _("Make it a meeting request"), SECRETARIAT),
)

WORKFLOW = Workflow(TRANSITIONS)
BY_ACTION = WORKFLOW.by_action
ACTIONS = WORKFLOW.actions
find = WORKFLOW.find
available = WORKFLOW.available
action_label = WORKFLOW.action_label


# --- Kinds and their answer limits -----------------------------------------------------

GENERAL = "general"  # 일반 (the board's default): 7 working days, as city boards promise
QUESTION = "question"  # 질의민원: 7 days
PROPOSAL = "proposal"  # 건의민원: 14 days
GRIEVANCE = "grievance"  # 고충민원: 7 days
QUICK = "quick"  # 생활불편 신속처리: 30 minutes (seed 003)

KIND_LABELS = {
    GENERAL: _("General petition"),
    QUESTION: _("Question"),
    PROPOSAL: _("Proposal"),
    GRIEVANCE: _("Grievance"),
    QUICK: _("Quick fix of a life inconvenience (30 minutes)"),
}


@dataclass(frozen=True)
class Limit:
    """The legal answer limit of a kind: working days (counted as
    ``scheduling.clock.answer_due`` counts them), working hours, or plain
    minutes on the clock (the quick service's field team works any hour)."""

    days: int = 0
    working_hours: int = 0
    minutes: int = 0


#: After 민원 처리에 관한 법률 시행령 §14–§16 (질의 7일, 건의 14일, 고충 7일);
#: a general petition gets the 7 working days city boards promise ("접수일로부터
#: 7일 이내 답변"; the law's 기타민원 "즉시" fits a counter, not a board); the
#: quick service is the city's own promise (seed 003). The city's target, an
#: average of ``PETITION_TARGET_DAYS`` (2.0) working days, is measured, not a limit.
LIMITS = {
    GENERAL: Limit(days=7),
    QUESTION: Limit(days=7),
    PROPOSAL: Limit(days=14),
    GRIEVANCE: Limit(days=7),
    QUICK: Limit(minutes=30),
}


def answer_due(received_at: dt.datetime, kind: str, *, calendar) -> dt.datetime:
    """When the answer to a petition of ``kind`` received at ``received_at`` is due."""
    from scheduling import clock

    limit = LIMITS[kind]
    if limit.minutes:
        return received_at + dt.timedelta(minutes=limit.minutes)
    if limit.working_hours:
        return clock.add_working_hours(received_at, limit.working_hours, calendar=calendar)
    return clock.answer_due(received_at, limit.days, calendar=calendar)


def extended_due(due_at: dt.datetime, kind: str, *, calendar) -> dt.datetime:
    """The one extension the law allows (§21: once, within the original
    period): the original period again, counted from the original due time."""
    from scheduling import clock

    limit = LIMITS[kind]
    if limit.minutes:
        return due_at + dt.timedelta(minutes=limit.minutes)
    if limit.working_hours:
        return clock.add_working_hours(due_at, limit.working_hours, calendar=calendar)
    return clock.add_working_hours(due_at, limit.days * clock.HOURS_PER_DAY, calendar=calendar)


# --- Channels ---------------------------------------------------------------------------

WEB = "web"  # the public board "시장에게 바란다"
EPEOPLE = "epeople"  # 국민신문고, the national portal
SMS = "sms"  # the mayor's SMS phone (소통문자폰)
PHONE = "phone"
VISIT = "visit"  # walk-in at the office (방문 상담)
INTERNAL = "internal"  # created from a visit, a meeting's outcome or an instruction

CHANNEL_LABELS = {
    WEB: _("Web board"),
    EPEOPLE: _("National e-People portal"),
    SMS: _("Mayor's SMS phone"),
    PHONE: _("Phone call"),
    VISIT: _("Walk-in"),
    INTERNAL: _("From a visit or meeting"),
}
