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

from django.utils.translation import gettext_lazy as _

from scheduling.workflow import Transition, Workflow, steps

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


TRANSITIONS: tuple[Transition, ...] = (
    *steps("assign", RECEIVED, ASSIGNED, _("Assign to a lead department"), SECRETARIAT, BUDGET_POLICY),
    *steps("reassign", ASSIGNED, ASSIGNED, _("Hand to another lead department"), SECRETARIAT, BUDGET_POLICY),
    *steps("review", ASSIGNED, JOINT_REVIEW, _("Submit the department's review"), LEAD_DEPARTMENT),
    *steps("select", JOINT_REVIEW, SELECTED, _("Select"), BUDGET_POLICY),
    *steps("long_term", JOINT_REVIEW, LONG_TERM, _("Keep for long-term review"), BUDGET_POLICY),
    *steps("reject", JOINT_REVIEW, NOT_FEASIBLE, _("Answer not feasible"), BUDGET_POLICY),
    *steps("rereview", LONG_TERM, JOINT_REVIEW, _("Return to joint review"), BUDGET_POLICY),
    *steps("postpone", SELECTED, LONG_TERM, _("No budget this year: long-term review"), BUDGET_POLICY),
    *steps("budget", SELECTED, BUDGETED, _("Reflect in the budget"), BUDGET_POLICY),
    *steps("start", BUDGETED, IN_PROGRESS, _("Start the works"), LEAD_DEPARTMENT),
    *steps("complete", IN_PROGRESS, COMPLETED, _("Record completion"), LEAD_DEPARTMENT),
    *steps("reopen", COMPLETED, IN_PROGRESS, _("Reopen"), RESIDENT, SECRETARIAT),
)

#: Who may correct a suggestion's details and add photos of the place.
EDITORS = frozenset({SECRETARIAT, BUDGET_POLICY, LEAD_DEPARTMENT})
#: Who posts dated progress updates while the works are in progress.
PROGRESS_POSTERS = frozenset({LEAD_DEPARTMENT})

WORKFLOW = Workflow(TRANSITIONS)
BY_ACTION = WORKFLOW.by_action
find = WORKFLOW.find
available = WORKFLOW.available

#: Every status in the workflow's order (the columns of the lists, the
#: counts on a card).
STATUS_ORDER = (
    RECEIVED,
    ASSIGNED,
    JOINT_REVIEW,
    SELECTED,
    BUDGETED,
    IN_PROGRESS,
    COMPLETED,
    LONG_TERM,
    NOT_FEASIBLE,
)
#: Where a suggestion ends; "a suggestion is never silently dropped": each
#: open one (any other status) is somewhere in between.
CLOSED = frozenset({COMPLETED, NOT_FEASIBLE})
#: Not decided yet: on its way to the joint review, or in it (the
#: briefing's "open suggestions").
UNDECIDED = frozenset({RECEIVED, ASSIGNED, JOINT_REVIEW})
#: Statuses that are waiting for the joint review's decision (the board).
AWAITING_DECISION = frozenset({JOINT_REVIEW, LONG_TERM})
#: Decided to be done: the priority ranking, and what is counted against
#: the fiscal year's envelope.
COMMITTED = frozenset({SELECTED, BUDGETED, IN_PROGRESS, COMPLETED})
#: Decided and not done yet: the queue a new priority rank goes behind.
TO_BE_DONE = COMMITTED - {COMPLETED}
#: Statuses where the lead department owes the next step.
DEPARTMENT_OWES = frozenset({ASSIGNED, BUDGETED, IN_PROGRESS})

#: Changes residents are told of (each public status change).
PUBLIC_STATUSES = frozenset(
    {ASSIGNED, JOINT_REVIEW, SELECTED, LONG_TERM, NOT_FEASIBLE, BUDGETED, IN_PROGRESS, COMPLETED}
)
