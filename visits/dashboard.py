"""The field-visit and management-card panels of the staff dashboard
(``/staff/``).

Registered from ``VisitsConfig.ready`` through ``scheduling.staff``
(``register_panels``). Each panel's context runs a CONSTANT number of
queries whatever the number of suggestions or visits (see docs/dashboard.md
and tests/visits/test_dashboard.py).

- "Overdue suggestions": the first few overdue suggestions the user may see
  (``card_selectors.suggestions_visible_to`` and the one overdue rule,
  ``card_selectors.overdue``), with the count of all of them.
- "Rotation progress": the current accepted rotation cycle, held against
  the plan for the whole cycle and for each of its years
  (``selectors.cycle_progress``, as on the cycle's page), and the next
  planned visit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from scheduling.access import user_department_id
from scheduling.dates import korean_date, local_when
from scheduling.staff import DashboardPanel, register_panel
from visits.cards import selectors as card_selectors
from visits.models import FieldVisit, RotationCycle, Suggestion
from visits.rotation import selectors

OVERDUE_SHOWN = 5
PERM_VIEW_SUGGESTIONS = "visits.view_suggestion"
PERM_VIEW_CYCLES = "visits.view_rotationcycle"


# --- Overdue suggestions ----------------------------------------------------------------


@dataclass
class OverdueRow:
    suggestion: Suggestion
    #: The first answer was due and the department has not given it.
    is_late_answer: bool
    due: str
    last_activity: str


def overdue_suggestions_context(user, *, now: dt.datetime | None = None) -> dict:
    """Up to ``OVERDUE_SHOWN`` overdue suggestions among those ``user`` may
    see, the longest late first, and the count of all of them. Overdue is
    the one rule (``card_selectors.overdue``): a first answer past
    ``first_answer_due`` while still assigned, or no activity since
    ``card_selectors.stale_before()``; finished suggestions never are.
    Constant queries: the user's groups and department, the count, the rows."""
    overdue = card_selectors.overdue(card_selectors.suggestions_visible_to(user), now)
    total = overdue.count()
    rows = [
        OverdueRow(
            suggestion=s,
            is_late_answer=s.is_late_answer,
            due=korean_date(s.first_answer_due) if s.first_answer_due else "",
            last_activity=korean_date(timezone.localdate(s.last_activity_at)),
        )
        for s in overdue.select_related("neighborhood", "lead_department").order_by(
            F("first_answer_due").asc(nulls_last=True), "last_activity_at", "pk"
        )[:OVERDUE_SHOWN]
    ]
    has_department = bool(user_department_id(user))
    return {
        "rows": rows,
        "total": total,
        "inbox_url": reverse("staff_cards:inbox"),
        "board_url": reverse("staff_cards:board"),
        "index_url": reverse("staff_cards:index"),
        "has_department": has_department,
        "sees_all": card_selectors.sees_all(user),
    }


# --- Rotation progress ------------------------------------------------------------------


@dataclass
class YearRow:
    index: int
    period: str
    held: int
    planned: int
    other: int
    total: int
    percent: int


def current_cycle(today: dt.date) -> RotationCycle | None:
    """The accepted cycle running today, else the next accepted one."""
    return (
        RotationCycle.objects.filter(status=RotationCycle.Status.ACCEPTED, end__gte=today)
        .select_related("official")
        .order_by("start", "pk")
        .first()
    )


def rotation_progress_context(user, *, now: dt.datetime | None = None) -> dict:
    """The current cycle's progress: held / total neighborhoods, by year
    against the plan, how many visits the plan had by today, and the next
    planned visit. Constant queries: the cycle, the counts by year and for
    the whole cycle (one query, ``selectors.cycle_progress``), the visits
    due by today, the next visit."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    cycle = current_cycle(today)
    if cycle is None:
        return {"cycle": None, "cycles_url": reverse("staff_visits:cycles")}
    progress = selectors.cycle_progress(cycle)
    years = [
        YearRow(
            index=index,
            period=f"{korean_date(year.start)} – {korean_date(year.end)}",
            held=year.held,
            planned=year.planned,
            other=year.postponed + year.cancelled,
            total=year.total,
            percent=year.percent_held,
        )
        for index, year in enumerate(progress.years, start=1)
    ]
    due_by_now = (
        FieldVisit.objects.filter(cycle=cycle, start__lt=now).exclude(status=FieldVisit.Status.CANCELLED).count()
    )
    next_visit = (
        FieldVisit.objects.filter(cycle=cycle, status=FieldVisit.Status.PLANNED, start__gte=now)
        .select_related("neighborhood")
        .order_by("start", "pk")
        .first()
    )
    return {
        "cycle": cycle,
        "period": f"{korean_date(cycle.start)} – {korean_date(cycle.end)}",
        "has_started": cycle.start <= today,
        "overall": progress.overall,
        "years": years,
        "due_by_now": due_by_now,
        "behind": max(due_by_now - progress.overall.held, 0),
        "next_visit": next_visit,
        "next_when": local_when(next_visit.start) if next_visit else "",
        "cycle_url": reverse("staff_visits:cycle", args=[cycle.pk]),
        "next_url": reverse("staff_visits:visit", args=[cycle.pk, next_visit.pk]) if next_visit else "",
        "cycles_url": reverse("staff_visits:cycles"),
    }


# --- Registration -----------------------------------------------------------------------


def _overdue(user):
    return overdue_suggestions_context(user)


def _rotation(user):
    return rotation_progress_context(user)


def register_panels() -> None:
    register_panel(
        DashboardPanel(
            key="visits.overdue",
            title=gettext_lazy("Overdue suggestions"),
            template="visits/dashboard_overdue.html",
            context=_overdue,
            permission=PERM_VIEW_SUGGESTIONS,
            order=20,
        )
    )
    register_panel(
        DashboardPanel(
            key="visits.rotation",
            title=gettext_lazy("Neighborhood visit rotation"),
            template="visits/dashboard_rotation.html",
            context=_rotation,
            permission=PERM_VIEW_CYCLES,
            order=21,
        )
    )
