"""The back office of the mayor's instructions, at /staff/instructions/: the
board (by department and by state, filters, overdue marked), recording an
instruction (from a visit, a meeting request or a petition: ``?visit=``,
``?meeting_request=``, ``?petition=`` prefill it), and each instruction's
page with its notes, its completion report and the forms for what the user
may do now.

Views are thin: ``_instruction_for`` is the one access check (an
instruction the user may not see is a 404; acting without a role on it is a
403); each POST action is one row of ``ACTIONS`` (its form, its one service);
the service's ``InstructionError`` is shown in its form, with what was typed.
Rows of the other apps are read through our own foreign keys
(``Instruction._meta.get_field(...).related_model``): no app is imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from petitions.instructions import forms, rules, selectors, services
from petitions.instructions.models import Instruction
from scheduling import params
from scheduling.access import require, user_department_id
from scheduling.decorators import staff_required
from scheduling.errors import TongtongError
from scheduling.models import Department, Neighborhood
from scheduling.people import label_related

STATUS_BADGES = {
    rules.ISSUED: "bg-light-primary",
    rules.IN_PROGRESS: "bg-light-warning",
    rules.COMPLETED: "bg-light-success",
    rules.CANCELLED: "bg-light-gray",
}

#: The origins a link may give (query parameter → the instruction's field).
ORIGINS = {"visit": "origin_visit", "meeting_request": "origin_meeting_request", "petition": "origin_petition"}


def _origin_model(parameter: str):
    return Instruction._meta.get_field(ORIGINS[parameter]).related_model


def _origin(parameter: str, raw) -> object | None:
    pk = params.optional_id(raw) if not isinstance(raw, int) else raw
    if pk is None:
        return None
    return _origin_model(parameter)._default_manager.select_related("neighborhood").filter(pk=pk).first()


def _origin_title(parameter: str, origin) -> str:
    if parameter == "visit":
        return _("Field visit to %(name)s") % {"name": origin.neighborhood.name}
    return getattr(origin, "subject", "") or ""


# --- Access ---------------------------------------------------------------------------


def _instruction_for(user, pk: int) -> Instruction:
    try:
        return selectors.instruction_for_page(selectors.instruction_scope(user), pk)
    except Instruction.DoesNotExist as missing:
        raise Http404 from missing


# --- The board ---------------------------------------------------------------------------


def _filters(request) -> selectors.BoardFilters:
    get = request.GET
    status = get.get("status", "")
    source = get.get("source", "")
    return selectors.BoardFilters(
        status=status if status in rules.STATUS_LABELS else "",
        department_id=params.optional_id(get.get("department")),
        neighborhood_id=params.optional_id(get.get("neighborhood")),
        source=source if source in Instruction.Source.values else "",
        overdue_only=get.get("overdue") == "1",
        query=params.text(get.get("q", ""), max_length=100),
    )


@staff_required
def board(request):
    require(request.user, selectors.VIEW)
    filters = _filters(request)
    group = "status" if request.GET.get("group") == "status" else "department"
    rows = selectors.board_rows(request.user, filters)
    for row in rows:
        row.badge = STATUS_BADGES.get(row.status, "bg-light-gray")
    statuses = list(rules.STATUS_LABELS.items())
    # By department and by state: one count table, from the rows in hand.
    matrix: dict[str, dict] = {}
    for row in rows:
        entry = matrix.setdefault(
            row.department.name,
            {"name": row.department.name, "counts": dict.fromkeys(rules.STATUS_ORDER, 0), "overdue": 0},
        )
        entry["counts"][row.status] += 1
        entry["overdue"] += row.is_overdue
    summary = [
        {"name": e["name"], "counts": [e["counts"][s] for s in rules.STATUS_ORDER], "overdue": e["overdue"]}
        for e in sorted(matrix.values(), key=lambda e: e["name"])
    ]
    groups: dict[str, dict] = {}
    for row in rows:
        key, title = (
            (row.status, rules.STATUS_LABELS[row.status])
            if group == "status"
            else (row.department_id, row.department.name)
        )
        groups.setdefault(key, {"title": title, "rows": []})["rows"].append(row)
    if group == "status":
        groups = {s: groups[s] for s in rules.STATUS_ORDER if s in groups}
    sees_all = selectors.sees_all(request.user)
    return render(
        request,
        "petitions/instructions/board.html",
        {
            "filters": filters,
            "group": group,
            "groups": list(groups.values()),
            "summary": summary,
            "statuses": statuses,
            "sources": Instruction.Source.choices,
            "count": len(rows),
            "overdue_count": sum(1 for r in rows if r.is_overdue),
            "departments": list(Department.objects.filter(is_active=True).order_by("name")) if sees_all else [],
            "neighborhoods": list(Neighborhood.objects.order_by("sort_order", "name")),
            "can_add": request.user.has_perm(selectors.ADD),
            "has_department": bool(user_department_id(request.user)),
            "sees_all": sees_all,
        },
    )


# --- Recording ----------------------------------------------------------------------------


def _prefill(request) -> tuple[dict, list[tuple[str, object]]]:
    """What a link fills in (?visit=, ?meeting_request=, ?petition=): the
    origin, its neighborhood and its subject."""
    initial: dict = {"instructed_on": timezone.localdate()}
    found = []
    for parameter in ORIGINS:
        origin = _origin(parameter, request.GET.get(parameter))
        if origin is None:
            continue
        initial[parameter] = origin.pk
        found.append((parameter, origin))
        if origin.neighborhood_id and "neighborhood" not in initial:
            initial["neighborhood"] = origin.neighborhood_id
        initial.setdefault("title", _origin_title(parameter, origin)[:200])
    return initial, found


def _origins_of(data: dict) -> tuple[dict, list[tuple[str, object]]]:
    origins, found = {}, []
    for parameter, field in ORIGINS.items():
        if data.get(parameter):
            origin = _origin(parameter, data[parameter])
            if origin is None:
                raise services.InstructionError(_("The visit, meeting or petition it came from no longer exists."))
            origins[field] = origin
            found.append((parameter, origin))
    return origins, found


@staff_required
def new(request):
    require(request.user, selectors.ADD)
    if request.method == "POST":
        form = forms.InstructionForm(request.POST)
        found = []
        if form.is_valid():
            data = form.cleaned_data
            try:
                origins, found = _origins_of(data)
                instruction = services.instruction_record(
                    title=data["title"],
                    text=data["text"],
                    instructed_on=data["instructed_on"],
                    department=data["department"],
                    due_on=data["due_on"],
                    neighborhood=data["neighborhood"],
                    actor=request.user,
                    **origins,
                )
            except TongtongError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("The instruction %(reference)s was recorded.") % {"reference": instruction.reference}
                )
                return redirect("staff_instructions:detail", pk=instruction.pk)
    else:
        initial, found = _prefill(request)
        form = forms.InstructionForm(initial=initial)
    return render(request, "petitions/instructions/new.html", {"form": form, "origins": found})


# --- One instruction -----------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    form: type[django_forms.Form]
    service: Callable
    message: object
    #: The table's action this form takes (who may, from which status).
    move: str


ACTIONS: dict[str, Action] = {
    "start": Action(forms.StartForm, services.instruction_start, gettext_lazy("The work was started."), "start"),
    "note": Action(forms.NoteForm, services.instruction_note, gettext_lazy("The progress note was added."), "note"),
    "complete": Action(
        forms.CompleteForm, services.instruction_complete, gettext_lazy("The completion was reported."), "complete"
    ),
    "return": Action(
        forms.ReturnForm, services.instruction_return, gettext_lazy("The completion report was returned."), "return"
    ),
    "assign": Action(
        forms.AssignForm, services.instruction_assign, gettext_lazy("The instruction was reassigned."), "assign"
    ),
    "due": Action(
        forms.DueForm, services.instruction_due_change, gettext_lazy("The due date was changed."), "change_due"
    ),
    "cancel": Action(
        forms.CancelForm, services.instruction_cancel, gettext_lazy("The instruction was cancelled."), "cancel"
    ),
}


def _available(user, instruction: Instruction) -> list[str]:
    moves = {t.action for t in rules.available(instruction.status, selectors.actors_for(user, instruction))}
    return [name for name, action in ACTIONS.items() if action.move in moves]


def _page(request, instruction: Instruction, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    forms_shown = []
    shown = _available(request.user, instruction)
    # A refused action's form is shown with its message, even if not offered now.
    shown += [name for name in bound if name not in shown]
    for name in shown:
        form = bound.get(name) or ACTIONS[name].form(initial={"due_on": instruction.due_on} if name == "due" else None)
        forms_shown.append({"name": name, "label": rules.action_label(ACTIONS[name].move), "form": form})
    history = list(instruction.history.select_related(*label_related("actor")))
    for event in history:
        event.label = rules.action_label(event.action) if event.action != "record" else _("Recorded")
        event.to_label = rules.STATUS_LABELS.get(event.to_status, event.to_status)
    return render(
        request,
        "petitions/instructions/detail.html",
        {
            "i": instruction,
            "badge": STATUS_BADGES.get(instruction.status, "bg-light-gray"),
            "is_overdue": selectors.is_overdue(instruction),
            "notes": [e for e in history if e.action == "note"],
            "history": history,
            "actions": forms_shown,
            "failed": next(iter(bound), None),
        },
        status=status,
    )


@staff_required
def detail(request, pk):
    return _page(request, _instruction_for(request.user, pk))


@staff_required
@require_POST
def action(request, pk, name):
    if name not in ACTIONS:
        raise Http404
    step = ACTIONS[name]
    instruction = _instruction_for(request.user, pk)
    if not selectors.actors_for(request.user, instruction):
        raise PermissionDenied
    form = step.form(request.POST)
    if form.is_valid():
        try:
            step.service(instruction=instruction, actor=request.user, **form.cleaned_data)
        except TongtongError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, str(step.message))
            return redirect("staff_instructions:detail", pk=instruction.pk)
    return _page(request, _instruction_for(request.user, pk), bound={name: form})
