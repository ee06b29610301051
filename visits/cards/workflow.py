"""The suggestion workflow of the neighborhood management card (동 관리카드)
as one table: which status may follow which, by what action, and who may
take it. Pure data and functions (no ORM), so pages, services and tests
read the same rules.

received ─assign→ assigned ─department review→ joint_review ─decide→ selected │ long_term │ not_feasible
selected ─budget→ budgeted ─start→ in_progress ─complete→ completed
Also: a department hands a suggestion back (assigned → assigned, another
lead department); a long-term one returns to joint review; a selected one
that finds no budget this year goes to long-term review; a completed one
that its resident answers "not resolved" is reopened (→ in_progress).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

RECEIVED = "received"
ASSIGNED = "assigned"
JOINT_REVIEW = "joint_review"
SELECTED = "selected"
LONG_TERM = "long_term"
NOT_FEASIBLE = "not_feasible"
BUDGETED = "budgeted"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"

# Who may act. "secretariat" is the office that records suggestions and
# assigns them; "lead_department" is staff of the suggestion's own lead
# department; "budget_policy" the budget & legal department and the policy
# officer (the joint review's deciders).
SECRETARIAT = "secretariat"
LEAD_DEPARTMENT = "lead_department"
BUDGET_POLICY = "budget_policy"
RESIDENT = "resident"


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    label: object
    actors: frozenset[str]


def _t(action, source, target, label, *actors):
    return Transition(action, source, target, label, frozenset(actors))


TRANSITIONS: tuple[Transition, ...] = (
    _t("assign", RECEIVED, ASSIGNED, _("Assign to a lead department"), SECRETARIAT, BUDGET_POLICY),
    _t("reassign", ASSIGNED, ASSIGNED, _("Hand to another lead department"), SECRETARIAT, BUDGET_POLICY),
    _t("review", ASSIGNED, JOINT_REVIEW, _("Submit the department's review"), LEAD_DEPARTMENT),
    _t("select", JOINT_REVIEW, SELECTED, _("Select"), BUDGET_POLICY),
    _t("long_term", JOINT_REVIEW, LONG_TERM, _("Keep for long-term review"), BUDGET_POLICY),
    _t("reject", JOINT_REVIEW, NOT_FEASIBLE, _("Answer not feasible"), BUDGET_POLICY),
    _t("rereview", LONG_TERM, JOINT_REVIEW, _("Return to joint review"), BUDGET_POLICY),
    _t("postpone", SELECTED, LONG_TERM, _("No budget this year: long-term review"), BUDGET_POLICY),
    _t("budget", SELECTED, BUDGETED, _("Reflect in the budget"), BUDGET_POLICY),
    _t("start", BUDGETED, IN_PROGRESS, _("Start the works"), LEAD_DEPARTMENT),
    _t("complete", IN_PROGRESS, COMPLETED, _("Record completion"), LEAD_DEPARTMENT),
    _t("reopen", COMPLETED, IN_PROGRESS, _("Reopen"), RESIDENT, SECRETARIAT),
)

BY_ACTION: dict[str, list[Transition]] = {}
for _transition in TRANSITIONS:
    BY_ACTION.setdefault(_transition.action, []).append(_transition)

#: Statuses that are waiting for the joint review's decision (the board).
AWAITING_DECISION = frozenset({JOINT_REVIEW, LONG_TERM})
#: Where a suggestion ends; "a suggestion is never silently dropped": each
#: open one is somewhere in between.
CLOSED = frozenset({COMPLETED, NOT_FEASIBLE})
#: Statuses where the lead department owes the next step.
DEPARTMENT_OWES = frozenset({ASSIGNED, BUDGETED, IN_PROGRESS})
#: Decided to be done: counted against the fiscal year's envelope.
COMMITTED = frozenset({SELECTED, BUDGETED, IN_PROGRESS, COMPLETED})

#: Changes residents are told of (each public status change).
PUBLIC_STATUSES = frozenset(
    {ASSIGNED, JOINT_REVIEW, SELECTED, LONG_TERM, NOT_FEASIBLE, BUDGETED, IN_PROGRESS, COMPLETED}
)


def find(action: str, source: str) -> Transition | None:
    """The transition ``action`` from ``source``, or None if it is not legal."""
    for transition in BY_ACTION.get(action, ()):
        if transition.source == source:
            return transition
    return None


def available(source: str, actors: set[str] | frozenset[str]) -> list[Transition]:
    """The transitions from ``source`` that someone acting as any of
    ``actors`` may take (the buttons a page offers)."""
    return [t for t in TRANSITIONS if t.source == source and t.actors & set(actors)]
