"""The instructions' part of the reports (``scheduling.reports.core``,
source key "instructions"): per department, the instructions due in the
period, those of them done by its end, and those overdue at its end.

- *due*: the due date falls in the period (not cancelled before its end);
- *done*: of those, completed by the end of the period;
- *overdue at the end*: due on or before the period's last day and neither
  completed nor cancelled by its end.

One aggregate query per period (``selectors.month_figures``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from petitions.instructions import selectors
from scheduling.reports.core import Figure, Period, Section, Table, rate, span_of


def instruction_section(period: Period) -> list[Section]:
    span = span_of(period)
    rows = selectors.month_figures(span.since, span.until)
    due = sum(r["due"] for r in rows)
    done = sum(r["done"] for r in rows)
    overdue = sum(r["overdue"] for r in rows)
    table = Table(
        key="instructions_by_department",
        title=_("The mayor's instructions by department"),
        columns=[_("Department"), _("Due in the period"), _("Done"), _("Overdue at the end")],
        rows=[[r["department__name"], r["due"], r["done"], r["overdue"]] for r in rows],
        total=[_("Total"), due, done, overdue] if rows else None,
        note=_(
            "Due: the due date falls in the period. Done: of those, completed by its end. "
            "Overdue: due by its end and not completed or cancelled then."
        ),
    )
    return [
        Section(
            key="instructions",
            title=_("The mayor's instructions"),
            figures=[
                Figure(_("Instructions due"), due),
                Figure(_("Done of those due"), rate(done, due), unit="%", target=100),
                Figure(_("Overdue at the end of the period"), overdue, higher_is_better=False),
            ],
            tables=[table],
        )
    ]
