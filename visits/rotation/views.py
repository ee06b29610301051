"""The rotation plan's back office under ``/staff/visits/``: the cycles, a
new cycle's preview, the plan as a month / year calendar and a table,
accepting it, moving one visit, marking it held / postponed / cancelled, and
re-planning the rest of a cycle after a preview of the differences.

Views are thin: a form parses, one service acts, a ``TongtongError`` is
shown in the form it came from and nothing is changed; success is a message
and a redirect. Permissions (granted to the secretariat in
``VisitsConfig.ready``): ``visits.view_rotationcycle`` to see the plans,
``visits.add_rotationcycle`` to plan a cycle, ``visits.change_rotationcycle``
to accept or re-plan one, ``visits.change_fieldvisit`` to move a visit or
set its status.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scheduling import params
from scheduling.access import require
from scheduling.dates import korean_date, korean_datetime, local_time
from scheduling.decorators import staff_required
from scheduling.errors import TongtongError
from scheduling.workdays import public_holiday_name, working_calendar
from visits.models import FieldVisit, RotationCycle
from visits.rotation import selectors, services
from visits.rotation.forms import MoveForm, PlanForm, ReplanForm, StatusForm

PERM_VIEW = "visits.view_rotationcycle"
PERM_PLAN = "visits.add_rotationcycle"
PERM_CHANGE_CYCLE = "visits.change_rotationcycle"
PERM_CHANGE_VISIT = "visits.change_fieldvisit"

#: The calendar's columns, Sunday first as Korean calendars print them.
#: (short, long, CSS class): Korean calendars print Sunday red and Saturday blue.
CALENDAR_HEADERS = [
    ("일", "일요일", "tt-sun"),
    ("월", "월요일", ""),
    ("화", "화요일", ""),
    ("수", "수요일", ""),
    ("목", "목요일", ""),
    ("금", "금요일", ""),
    ("토", "토요일", "tt-sat"),
]

STATUS_BADGES = {
    FieldVisit.Status.PLANNED: "bg-light-primary",
    FieldVisit.Status.HELD: "bg-light-success",
    FieldVisit.Status.POSTPONED: "bg-light-warning",
    FieldVisit.Status.CANCELLED: "bg-light-gray",
}
CYCLE_BADGES = {
    RotationCycle.Status.DRAFT: "bg-light-warning",
    RotationCycle.Status.ACCEPTED: "bg-light-success",
    RotationCycle.Status.CLOSED: "bg-light-gray",
}


def _cycle(request, pk, permission: str = PERM_VIEW) -> RotationCycle:
    require(request.user, permission)
    return get_object_or_404(RotationCycle.objects.select_related("official"), pk=pk)


def _visit(request, pk, visit_pk, permission: str = PERM_VIEW) -> FieldVisit:
    require(request.user, permission)
    return get_object_or_404(
        FieldVisit.objects.select_related("neighborhood", "cycle", "official"), pk=visit_pk, cycle_id=pk
    )


# --- The cycles and a new plan ---------------------------------------------------


@staff_required
def cycles(request):
    """The cycles, and the form to plan a new one: "preview" shows the plan
    without saving anything, "save" saves it as a draft."""
    require(request.user, PERM_VIEW)
    can_plan = request.user.has_perm(PERM_PLAN)
    form = PlanForm(request.POST or None) if can_plan else None
    preview = None
    if request.method == "POST":
        require(request.user, PERM_PLAN)
        save = request.POST.get("action") == "save"
        if form.is_valid():
            try:
                cycle, planned = services.rotation_plan(**form.plan_kwargs(), dry_run=not save, actor=request.user)
            except TongtongError as error:
                form.add_error(None, str(error))
            else:
                if save and cycle is not None:
                    messages.success(request, _("The plan is saved as a draft: check it, then accept it."))
                    return redirect("staff_visits:cycle", pk=cycle.pk)
                preview = [
                    {
                        "name": visit.name,
                        "date": korean_date(visit.date),
                        "time": f"{visit.start:%H:%M}",
                        "priority": visit.priority,
                        "reason": visit.reason,
                    }
                    for visit in planned
                ]
    rows = [
        {"cycle": cycle, "badge": CYCLE_BADGES.get(cycle.status, ""), "period": _period(cycle)}
        for cycle in RotationCycle.objects.select_related("official")
    ]
    return render(
        request,
        "visits/staff/plan_cycles.html",
        {"rows": rows, "form": form, "preview": preview, "failed": bool(form and form.errors)},
    )


def _period(cycle: RotationCycle) -> str:
    return f"{korean_date(cycle.start)} – {korean_date(cycle.end)}"


# --- One cycle: month, year and table views ----------------------------------------


@dataclass
class DayCell:
    day: dt.date
    in_month: bool
    off: str | None = None  # holiday or closure name
    is_weekend: bool = False
    is_meeting_day: bool = False
    visits: list = field(default_factory=list)

    @property
    def day_class(self) -> str:
        """How a Korean calendar colours the day: Sundays and holidays red
        (a holiday on a Saturday too), Saturdays blue."""
        if self.off or self.day.weekday() == 6:
            return "tt-sun"
        if self.day.weekday() == 5:
            return "tt-sat"
        return ""

    @property
    def label(self) -> str:
        return korean_date(self.day)


def _month_arg(value: str | None, cycle: RotationCycle) -> dt.date:
    month = params.optional_month(value)
    if month is not None:
        return month
    today = timezone.localdate()
    first = today if cycle.start <= today <= cycle.end else cycle.start
    return first.replace(day=1)


def _add_months(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _visit_rows(visits) -> list[dict]:
    return [
        {
            "visit": visit,
            "when": korean_datetime(visit.start),
            "time": f"{local_time(visit.start):%H:%M}",
            "badge": STATUS_BADGES.get(visit.status, ""),
        }
        for visit in visits
    ]


def month_grid(cycle: RotationCycle, first: dt.date) -> list[list[DayCell]]:
    weeks = calendar.Calendar(firstweekday=calendar.SUNDAY).monthdatescalendar(first.year, first.month)
    grid_start, grid_end = weeks[0][0], weeks[-1][-1]
    workdays = working_calendar(grid_start, grid_end)
    meetings = services.meeting_days_between(grid_start, grid_end)
    by_day: dict[dt.date, list] = {}
    visits = cycle.visits.select_related("neighborhood").filter(start__date__gte=grid_start, start__date__lte=grid_end)
    for row in _visit_rows(visits):
        by_day.setdefault(local_time(row["visit"].start).date(), []).append(row)
    return [
        [
            DayCell(
                day=day,
                in_month=day.month == first.month,
                off=workdays.closures.get(day) or public_holiday_name(day),
                is_weekend=day.weekday() >= 5,
                is_meeting_day=day in meetings,
                visits=by_day.get(day, []),
            )
            for day in week
        ]
        for week in weeks
    ]


def cycle_progress(cycle: RotationCycle) -> list[dict]:
    """Held / planned / total per year of the cycle, against the plan."""
    return [
        {
            "index": index,
            "period": f"{korean_date(year.start)} – {korean_date(year.end)}",
            "held": year.held,
            "planned": year.planned,
            "other": year.postponed + year.cancelled,
            "total": year.total,
        }
        for index, year in enumerate(selectors.cycle_progress(cycle).years, start=1)
    ]


def _cycle_page(request, cycle: RotationCycle, *, bound: dict | None = None):
    bound = bound or {}
    view = request.GET.get("view", "month")
    if view not in {"month", "year", "table"}:
        view = "month"
    first = _month_arg(request.GET.get("month"), cycle)
    context = {
        "cycle": cycle,
        "period": _period(cycle),
        "badge": CYCLE_BADGES.get(cycle.status, ""),
        "view": view,
        "progress": cycle_progress(cycle),
        "can_change": request.user.has_perm(PERM_CHANGE_CYCLE),
        "replan_form": bound.get("replan") or ReplanForm(initial={"from_date": timezone.localdate()}),
        "failed": next(iter(bound), None),
        "visit_total": cycle.visits.count(),
        "can_change_visit": request.user.has_perm(PERM_CHANGE_VISIT),
    }
    if view == "month":
        context.update(
            weeks=month_grid(cycle, first),
            headers=CALENDAR_HEADERS,
            month_label=f"{first.year}년 {first.month}월",
            month=f"{first:%Y-%m}",
            previous=f"{_add_months(first, -1):%Y-%m}",
            next=f"{_add_months(first, 1):%Y-%m}",
        )
    elif view == "year":
        year = params.optional_year(request.GET.get("year")) or first.year
        visits = list(cycle.visits.select_related("neighborhood").filter(start__year=year))
        months = []
        for month in range(1, 13):
            rows = _visit_rows(v for v in visits if local_time(v.start).month == month)
            months.append({"label": f"{year}년 {month}월", "key": f"{year}-{month:02d}", "rows": rows})
        context.update(
            year=year,
            months=months,
            previous_year=year - 1,
            next_year=year + 1,
            has_previous=year > cycle.start.year,
            has_next=year < cycle.end.year,
        )
    else:
        context["rows"] = _visit_rows(cycle.visits.select_related("neighborhood"))
    return render(request, "visits/staff/cycle_detail.html", context)


@staff_required
def cycle_detail(request, pk):
    return _cycle_page(request, _cycle(request, pk))


@staff_required
@require_POST
def cycle_accept(request, pk):
    cycle = _cycle(request, pk, PERM_CHANGE_CYCLE)
    try:
        services.cycle_accept(cycle=cycle, actor=request.user)
    except TongtongError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The plan is accepted."))
    return redirect("staff_visits:cycle", pk=cycle.pk)


# --- Re-planning the rest of a cycle --------------------------------------------------


@staff_required
def cycle_replan(request, pk):
    """GET ``?replan-from_date=``: the differences (old → new), nothing saved.
    POST: apply them."""
    cycle = _cycle(request, pk, PERM_CHANGE_CYCLE)
    data = request.POST if request.method == "POST" else (request.GET if request.GET else None)
    form = ReplanForm(data)
    if not form.is_valid():
        return _cycle_page(request, cycle, bound={"replan": form})
    from_date = form.cleaned_data["from_date"]
    if request.method == "POST":
        try:
            services.cycle_replan_apply(cycle=cycle, from_date=from_date, actor=request.user)
        except TongtongError as error:
            form.add_error(None, str(error))
            return _cycle_page(request, cycle, bound={"replan": form})
        messages.success(request, _("The rest of the plan is re-planned."))
        return redirect("staff_visits:cycle", pk=cycle.pk)
    try:
        changes = services.cycle_replan_preview(cycle=cycle, from_date=from_date)
    except TongtongError as error:
        form.add_error(None, str(error))
        return _cycle_page(request, cycle, bound={"replan": form})
    rows = [
        {
            "visit": visit,
            "old": korean_datetime(old) if old else "—",
            "new": korean_datetime(new) if new else "—",
            "changed": old != new or visit.status != FieldVisit.Status.PLANNED,
        }
        for visit, old, new in changes
    ]
    return render(
        request,
        "visits/staff/cycle_replan.html",
        {
            "cycle": cycle,
            "period": _period(cycle),
            "from_date": from_date,
            "from_label": korean_date(from_date),
            "rows": rows,
            "changed": sum(row["changed"] for row in rows),
        },
    )


# --- One visit: move it, set its status ------------------------------------------------


def _visit_page(request, visit: FieldVisit, *, bound: dict | None = None):
    bound = bound or {}
    local = local_time(visit.start)
    return render(
        request,
        "visits/staff/cycle_visit.html",
        {
            "visit": visit,
            "cycle": visit.cycle,
            "when": korean_datetime(visit.start),
            "badge": STATUS_BADGES.get(visit.status, ""),
            "can_change": request.user.has_perm(PERM_CHANGE_VISIT),
            "can_change_visit": request.user.has_perm(PERM_CHANGE_VISIT),
            "move_form": bound.get("move") or MoveForm(initial={"date": local.date(), "time": local.time()}),
            "status_form": bound.get("status") or StatusForm(),
            "failed": next(iter(bound), None),
        },
    )


@staff_required
def visit_detail(request, pk, visit_pk):
    return _visit_page(request, _visit(request, pk, visit_pk))


@staff_required
@require_POST
def visit_move(request, pk, visit_pk):
    visit = _visit(request, pk, visit_pk, PERM_CHANGE_VISIT)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            services.visit_move(visit=visit, start=form.new_start(), actor=request.user)
        except TongtongError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The visit moved to %(when)s.") % {"when": korean_datetime(form.new_start())})
            return redirect("staff_visits:visit", pk=pk, visit_pk=visit.pk)
    visit.refresh_from_db()
    return _visit_page(request, visit, bound={"move": form})


@staff_required
@require_POST
def visit_status(request, pk, visit_pk):
    visit = _visit(request, pk, visit_pk, PERM_CHANGE_VISIT)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.visit_set_status(
                visit=visit,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except TongtongError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The visit's status is saved."))
            return redirect("staff_visits:visit", pk=pk, visit_pk=visit.pk)
    visit.refresh_from_db()
    return _visit_page(request, visit, bound={"status": form})


@staff_required
@require_POST
def visit_publish(request, pk, visit_pk):
    """Show the visit on the public pages or keep it off them (the opt-out)."""
    visit = _visit(request, pk, visit_pk, PERM_CHANGE_VISIT)
    publish = request.POST.get("publish") == "1"
    services.visit_publish_set(visit=visit, publish=publish, actor=request.user)
    if publish:
        messages.success(request, _("%(name)s is shown on the public pages.") % {"name": visit.neighborhood.name})
    else:
        messages.success(request, _("%(name)s is kept off the public pages.") % {"name": visit.neighborhood.name})
    if request.POST.get("back") == "table":
        return redirect(reverse("staff_visits:cycle", kwargs={"pk": pk}) + "?view=table")
    return redirect("staff_visits:visit", pk=pk, visit_pk=visit.pk)
