"""The mayor's instructions (지시사항, seed 001 "현장 확인 지시사항") as data
(no ORM): the statuses and the one table of which status may follow which,
by what action, and who may take it. Services, pages and tests read the same
table (like ``petitions/rules.py`` and ``visits/cards/workflow.py``).

issued ─start→ in_progress ─complete→ completed        (the department, with its completion report)
completed ─return→ in_progress                          (the secretariat sends the report back)
issued │ in_progress ─cancel→ cancelled                 (the secretariat, with a reason)
issued │ in_progress: ─assign→, ─change_due→ (the secretariat), ─note→ (both): the status stays

Overdue (not completed or cancelled, its due date passed) is a read:
``petitions.instructions.selectors.overdue``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from scheduling.workflow import Transition, Workflow, steps

ISSUED = "issued"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
CANCELLED = "cancelled"

STATUS_LABELS = {
    ISSUED: _("Issued"),
    IN_PROGRESS: _("In progress"),
    COMPLETED: _("Completed"),
    CANCELLED: _("Cancelled"),
}
STATUS_ORDER = tuple(STATUS_LABELS)
#: Where an instruction ends; every other status is open (and can be overdue).
CLOSED = frozenset({COMPLETED, CANCELLED})
OPEN = frozenset(STATUS_ORDER) - CLOSED

SECRETARIAT = "secretariat"  # the secretariat records and manages every instruction
DEPARTMENT = "department"  # staff of the department the instruction is assigned to


TRANSITIONS: tuple[Transition, ...] = (
    *steps("start", (ISSUED,), IN_PROGRESS, _("Start the work"), DEPARTMENT, SECRETARIAT),
    *steps("complete", (IN_PROGRESS,), COMPLETED, _("Report completion"), DEPARTMENT, SECRETARIAT),
    *steps("return", (COMPLETED,), IN_PROGRESS, _("Return the completion report"), SECRETARIAT),
    *steps("cancel", (ISSUED, IN_PROGRESS), CANCELLED, _("Cancel the instruction"), SECRETARIAT),
    *steps("assign", (ISSUED, IN_PROGRESS), None, _("Assign to another department"), SECRETARIAT),
    *steps("change_due", (ISSUED, IN_PROGRESS), None, _("Change the due date"), SECRETARIAT),
    *steps("note", (ISSUED, IN_PROGRESS), None, _("Add a progress note"), DEPARTMENT, SECRETARIAT),
)
# A target of None keeps the status.

WORKFLOW = Workflow(TRANSITIONS)
BY_ACTION = WORKFLOW.by_action
ACTIONS = WORKFLOW.actions
find = WORKFLOW.find
available = WORKFLOW.available
action_label = WORKFLOW.action_label
