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

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

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


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    label: object
    actors: frozenset[str]


def _t(action, sources, target, label, *actors):
    return tuple(Transition(action, source, target, label, frozenset(actors)) for source in sources)


TRANSITIONS: tuple[Transition, ...] = (
    *_t("start", (ISSUED,), IN_PROGRESS, _("Start the work"), DEPARTMENT, SECRETARIAT),
    *_t("complete", (IN_PROGRESS,), COMPLETED, _("Report completion"), DEPARTMENT, SECRETARIAT),
    *_t("return", (COMPLETED,), IN_PROGRESS, _("Return the completion report"), SECRETARIAT),
    *_t("cancel", (ISSUED, IN_PROGRESS), CANCELLED, _("Cancel the instruction"), SECRETARIAT),
    *_t("assign", (ISSUED, IN_PROGRESS), None, _("Assign to another department"), SECRETARIAT),
    *_t("change_due", (ISSUED, IN_PROGRESS), None, _("Change the due date"), SECRETARIAT),
    *_t("note", (ISSUED, IN_PROGRESS), None, _("Add a progress note"), DEPARTMENT, SECRETARIAT),
)
# A target of None keeps the status: fill it in.
TRANSITIONS = tuple(Transition(t.action, t.source, t.target or t.source, t.label, t.actors) for t in TRANSITIONS)

BY_ACTION: dict[str, list[Transition]] = {}
for _transition in TRANSITIONS:
    BY_ACTION.setdefault(_transition.action, []).append(_transition)
ACTIONS = tuple(BY_ACTION)


def find(action: str, source: str) -> Transition | None:
    """The transition ``action`` from ``source``, or None if it is not legal."""
    for transition in BY_ACTION.get(action, ()):
        if transition.source == source:
            return transition
    return None


def available(source: str, actors) -> list[Transition]:
    """The transitions from ``source`` someone acting as any of ``actors``
    may take (the buttons a page offers)."""
    return [t for t in TRANSITIONS if t.source == source and t.actors & set(actors)]


def action_label(action: str) -> str:
    steps = BY_ACTION.get(action)
    return str(steps[0].label) if steps else action
