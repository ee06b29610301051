"""The back office of the neighborhood management cards (동 관리카드), at
/staff/cards/: the index of the neighborhoods, each staff card, a
department's inbox, the joint-review board, the priority ranking, and each
suggestion's page with the forms for what the user may do now.

Views are thin: ``_suggestion_for`` decides who may see a suggestion; each
POST action is one row of ``ACTIONS`` (its form, the one service of
``visits.cards.services`` it calls, the message, who may take it); the
service's ``TongtongError`` is shown in the form it came from with
everything typed kept, and ``PermissionDenied`` is a 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scheduling import page_parts
from scheduling import params as parse
from scheduling.access import require, user_department_id
from scheduling.audit import record_access
from scheduling.categories import Category
from scheduling.dates import korean_date, local_when, won
from scheduling.decorators import staff_required
from scheduling.errors import TongtongError
from scheduling.models import Department, Neighborhood
from scheduling.people import staff_label
from scheduling.phones import mask_phone
from visits.cards import selectors, services, workflow
from visits.cards.forms import (
    AssignForm,
    BudgetForm,
    CompleteForm,
    DecideForm,
    DetailsForm,
    NoteForm,
    OpinionForm,
    PhotoForm,
    PostponeForm,
    ProgressForm,
    ReopenForm,
    ReviewForm,
    StartForm,
    SuggestionForm,
)
from visits.models import FieldVisit, JointReviewOpinion, Suggestion, SuggestionEvent, ThemedTour

PERM_ADD_SUGGESTION = "visits.add_suggestion"
Status = Suggestion.Status

STATUS_BADGES = {
    Status.RECEIVED: "bg-light-gray",
    Status.ASSIGNED: "bg-light-primary",
    Status.JOINT_REVIEW: "bg-light-warning",
    Status.SELECTED: "bg-light-success",
    Status.LONG_TERM: "bg-light-secondary",
    Status.NOT_FEASIBLE: "bg-light-gray",
    Status.BUDGETED: "bg-light-success",
    Status.IN_PROGRESS: "bg-light-primary",
    Status.COMPLETED: "bg-light-success",
}

#: The page's action (form) that takes each transition.
ACTION_OF_TRANSITION = {
    "assign": "assign",
    "reassign": "assign",
    "select": "decide",
    "long_term": "decide",
    "reject": "decide",
}
#: The forms that upload a file.
MULTIPART_ACTIONS = frozenset({"complete", "photo"})


def _action_label(name: str, status: str):
    if name == "assign":
        transition = workflow.find("reassign" if status == Status.ASSIGNED else "assign", status)
        return transition.label if transition else _("Assign to a lead department")
    if name in ("rereview", "postpone", "budget", "start", "complete", "reopen", "review"):
        return workflow.BY_ACTION[name][0].label
    return {
        "opinion": _("Write a joint-review opinion"),
        "decide": _("Decide"),
        "progress": _("Post a progress update"),
        "details": _("Correct the details"),
        "photo": _("Add a photo"),
    }[name]


# --- Small presentation helpers ------------------------------------------------------


def _date(day: dt.date | None) -> str:
    return korean_date(day) if day else ""


def _when(moment: dt.datetime | None) -> str:
    return local_when(moment) if moment else ""


def _person(user) -> str:
    if user is None:
        return _("Resident or system")
    return staff_label(user)


def _status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def _heard_at(suggestion: Suggestion) -> str:
    if suggestion.visit_id and suggestion.visit:
        return _("Field visit of %(day)s") % {"day": korean_date(timezone.localtime(suggestion.visit.start).date())}
    if suggestion.tour_id and suggestion.tour:
        return _("Themed tour “%(title)s”") % {"title": suggestion.tour.title}
    if suggestion.meeting_reference:
        return _("Citizen meeting %(reference)s") % {"reference": suggestion.meeting_reference}
    return str(suggestion.get_source_display())


def _decorate(suggestion: Suggestion) -> Suggestion:
    """Attach what the templates print (no query: related rows are loaded;
    ``is_overdue`` and its reasons come annotated by the selectors)."""
    suggestion.badge = STATUS_BADGES.get(suggestion.status, "bg-light-gray")
    suggestion.due_text = _date(suggestion.first_answer_due)
    suggestion.cost_text = won(suggestion.estimated_cost)
    suggestion.budget_text = won(suggestion.budget_amount) if suggestion.budget_amount else ""
    suggestion.phone_masked = mask_phone(suggestion.contact_phone)
    suggestion.heard_at = _heard_at(suggestion)
    suggestion.created_text = _date(timezone.localdate(suggestion.created_at))
    suggestion.activity_text = _date(timezone.localdate(suggestion.last_activity_at))
    suggestion.completed_text = _date(suggestion.completed_on)
    return suggestion


def _timeline(suggestion: Suggestion) -> list[dict]:
    return [
        {
            "event": event,
            "when": _when(event.created_at),
            "happened_on": _date(event.happened_on) if event.kind == SuggestionEvent.Kind.PROGRESS else "",
            "who": _person(event.actor),
            "kind": event.get_kind_display(),
            "from": _status_label(event.from_status) if event.from_status else "",
            "to": _status_label(event.to_status) if event.to_status else "",
        }
        for event in suggestion.events.all()
    ]


def _opinion_rows(opinions) -> list[dict]:
    return [
        {"opinion": o, "who": _person(o.author) if o.author_id else "", "when": _when(o.written_at)} for o in opinions
    ]


# --- Access -------------------------------------------------------------------------


def _suggestion_for(user, pk: int, *, may: Callable | None = None) -> Suggestion:
    """The one access check of every suggestion view. A suggestion the user
    may not see is a 404 (a department asking for another's: it is not
    theirs to see); acting needs the action's role on it (``may``; a
    co-department only reads): 403 otherwise."""
    try:
        suggestion = selectors.suggestion_for_page(selectors.suggestions_visible_to(user), pk)
    except Suggestion.DoesNotExist as missing:
        raise Http404 from missing
    if may is not None and not may(user, suggestion):
        raise PermissionDenied
    return suggestion


# --- The actions of a suggestion's page --------------------------------------------


def _holds(roles: frozenset[str]) -> Callable:
    """May act: holds one of the workflow ``roles`` on the suggestion."""
    return lambda user, suggestion: bool(roles & selectors.actor_roles(user, suggestion))


def _takes(*moves: str) -> Callable:
    """May act: holds a role the workflow lets take one of ``moves``."""
    return _holds(frozenset().union(*(t.actors for move in moves for t in workflow.BY_ACTION[move])))


def _writes_an_opinion(user, suggestion: Suggestion) -> bool:
    return bool(selectors.opinion_parties(user, suggestion))


@dataclass(frozen=True)
class Action:
    """One POST action of a suggestion's page: the form that parses it, the
    one service it calls (with the suggestion, the actor and the form's
    fields as keyword arguments), the message on success (from the form's
    data), and who may take it (``may(user, suggestion)``; the service
    checks again under its row lock)."""

    form: type[django_forms.Form]
    service: Callable
    message: Callable[[dict], str]
    may: Callable


#: The page's actions (the URL's ``action``), in the order the page shows them.
ACTIONS: dict[str, Action] = {
    "assign": Action(
        AssignForm,
        services.suggestion_assign,
        lambda data: _("The suggestion was assigned to %(department)s.") % {"department": data["lead_department"].name},
        _takes("assign", "reassign"),
    ),
    "review": Action(
        ReviewForm,
        services.suggestion_department_review,
        lambda data: _("The department's review was recorded; the suggestion is in joint review."),
        _takes("review"),
    ),
    "opinion": Action(
        OpinionForm,
        services.suggestion_opinion_record,
        lambda data: _("The opinion was recorded."),
        _writes_an_opinion,
    ),
    "decide": Action(
        DecideForm,
        services.suggestion_decide,
        lambda data: _("The decision was recorded."),
        _takes("select", "long_term", "reject"),
    ),
    "rereview": Action(
        NoteForm,
        services.suggestion_rereview,
        lambda data: _("The suggestion is back in joint review."),
        _takes("rereview"),
    ),
    "postpone": Action(
        PostponeForm,
        services.suggestion_postpone,
        lambda data: _("The suggestion was moved to long-term review."),
        _takes("postpone"),
    ),
    "budget": Action(
        BudgetForm,
        services.suggestion_budget,
        lambda data: _("The suggestion was reflected in the budget."),
        _takes("budget"),
    ),
    "start": Action(
        StartForm,
        services.suggestion_start,
        lambda data: _("The works were started."),
        _takes("start"),
    ),
    "progress": Action(
        ProgressForm,
        services.suggestion_progress,
        lambda data: _("The progress update was posted."),
        _holds(workflow.PROGRESS_POSTERS),
    ),
    "complete": Action(
        CompleteForm,
        services.suggestion_complete,
        lambda data: _("The completion was recorded."),
        _takes("complete"),
    ),
    "reopen": Action(
        ReopenForm,
        services.suggestion_reopen,
        lambda data: _("The works were reopened for the lead department."),
        _takes("reopen"),
    ),
    "details": Action(
        DetailsForm,
        services.suggestion_details_update,
        lambda data: _("The details were saved."),
        _holds(workflow.EDITORS),
    ),
    "photo": Action(
        PhotoForm,
        services.suggestion_photo_add,
        lambda data: _("The photo was added without its location data."),
        _holds(workflow.EDITORS),
    ),
}


def _available_actions(user, suggestion: Suggestion) -> dict[str, dict]:
    """The page's actions ``user`` may take on ``suggestion`` now, each with
    the keyword arguments its form needs (the allowed decisions, parties)."""
    held = selectors.actor_roles(user, suggestion)
    actions: dict[str, dict] = {}
    for transition in workflow.available(suggestion.status, held):
        name = ACTION_OF_TRANSITION.get(transition.action, transition.action)
        actions.setdefault(name, {})
        if name == "decide":
            actions[name].setdefault("decisions", []).append(transition.action)
    if suggestion.status == Status.JOINT_REVIEW:
        parties = selectors.opinion_parties(user, suggestion)
        if parties:
            actions["opinion"] = {"parties": parties}
    if suggestion.status == Status.IN_PROGRESS and held & workflow.PROGRESS_POSTERS:
        actions["progress"] = {}
    if held & workflow.EDITORS:
        actions["details"] = {}
        actions["photo"] = {}
    return {name: actions[name] for name in ACTIONS if name in actions}


def _initial(name: str, suggestion: Suggestion) -> dict:
    if name == "details":
        return DetailsForm.initial_for(suggestion)
    if name == "review":
        return {"estimated_cost": suggestion.estimated_cost, "estimated_period": suggestion.estimated_period}
    if name == "decide":
        scores = [o.score for o in suggestion.current_opinions if o.score is not None]
        return {"priority_score": round(sum(scores) / len(scores), 1) if scores else None}
    if name == "budget":
        return {"fiscal_year": selectors.default_fiscal_year(), "amount": suggestion.estimated_cost}
    if name == "progress":
        return {"progress": suggestion.progress}
    if name == "complete":
        return {"completed_on": timezone.localdate()}
    return {}


# --- Pages --------------------------------------------------------------------------


@staff_required
def card_index(request):
    visible = selectors.suggestions_visible_to(request.user)
    statuses = list(Status.choices)
    rows = [
        {"row": row, "counts": [row.by_status.get(value, 0) for value, _label in statuses]}
        for row in selectors.card_index_counts(visible)
    ]
    totals = [sum(r["counts"][i] for r in rows) for i in range(len(statuses))]
    return render(
        request,
        "visits/cards/staff_index.html",
        {
            "rows": rows,
            "statuses": statuses,
            "totals": totals,
            "open_total": sum(r["row"].open for r in rows),
            "grand_total": sum(totals),
            "can_add": request.user.has_perm(PERM_ADD_SUGGESTION),
            "has_department": bool(user_department_id(request.user)),
            "sees_all": selectors.sees_all(request.user),
        },
    )


@staff_required
def staff_card(request, code):
    visible = selectors.suggestions_visible_to(request.user)
    try:
        card = selectors.neighborhood_card_staff(code, visible=visible)
    except Neighborhood.DoesNotExist as missing:
        raise Http404 from missing
    suggestions = [
        {
            "s": _decorate(s),
            "timeline": _timeline(s),
            "opinions": _opinion_rows(s.current_opinions),
            "co_departments": [d.name for d in s.co_departments.all()],
            "photos": list(s.photos.all()),
        }
        for s in card.suggestions
    ]
    counts = [(label, card.by_status.get(value, 0)) for value, label in Status.choices if card.by_status.get(value)]
    return render(
        request,
        "visits/cards/staff_card.html",
        {
            "neighborhood": card.neighborhood,
            "suggestions": suggestions,
            "counts": counts,
            "can_add": request.user.has_perm(PERM_ADD_SUGGESTION),
            # Other apps' parts of the card (the mayor's instructions): scheduling.page_parts.
            "parts": page_parts.panels_for(page_parts.PAGE_NEIGHBORHOOD_CARD, request.user, card.neighborhood),
        },
    )


def _inbox_department(request) -> tuple[Department | None, list[Department]]:
    """The user's own department; who sees every suggestion may pick one."""
    own = user_department_id(request.user)
    if not selectors.sees_all(request.user):
        return (Department.objects.filter(pk=own).first() if own else None), []
    choices = list(Department.objects.filter(is_active=True).order_by("name"))
    wanted = request.GET.get("department", "").strip()
    picked = next((d for d in choices if wanted and (str(d.pk) == wanted or d.code == wanted)), None)
    if picked is None and own:
        picked = next((d for d in choices if d.pk == own), None)
    return picked, choices


@staff_required
def department_inbox(request):
    department, choices = _inbox_department(request)
    rows = []
    if department is not None:
        rows = [_decorate(s) for s in selectors.department_inbox(department)]
    return render(
        request,
        "visits/cards/staff_inbox.html",
        {
            "department": department,
            "choices": choices,
            "rows": rows,
            "overdue_count": sum(1 for r in rows if r.is_overdue),
        },
    )


def _year(raw: str | None) -> int | None:
    return parse.optional_year(raw)


@staff_required
def joint_review_board(request):
    fiscal_year = _year(request.GET.get("year")) or selectors.default_fiscal_year()
    order = request.GET.get("order", "score")
    board = selectors.joint_review_board(fiscal_year, order, visible=selectors.suggestions_visible_to(request.user))
    for row in board.rows:
        _decorate(row.suggestion)
        row.score_text = f"{row.score:.1f}" if row.score is not None else "-"
        row.running_text = won(row.running_total)
        row.with_committed_text = won(row.with_committed)
        row.remaining_text = won(row.remaining) if row.remaining is not None else "-"
        written = {o.party for o in row.suggestion.current_opinions}
        row.opinions = [
            {
                "party": label,
                "opinion": next((o for o in row.suggestion.current_opinions if o.party == value), None),
            }
            for value, label in JointReviewOpinion.Party.choices
        ]
        row.missing = len(JointReviewOpinion.Party.values) - len(written)
    this_year = timezone.localdate().year
    return render(
        request,
        "visits/cards/staff_board.html",
        {
            "board": board,
            "envelope_text": won(board.envelope_amount) if board.envelope else "",
            "committed_text": won(board.committed),
            "available_text": won(board.available) if board.envelope else "",
            "total_text": won(board.total),
            "years": list(range(this_year - 1, this_year + 4)),
        },
    )


@staff_required
def priority_ranking(request):
    fiscal_year = _year(request.GET.get("year"))
    rows = selectors.priority_ranking(fiscal_year, visible=selectors.suggestions_visible_to(request.user))
    for row in rows:
        _decorate(row)
    this_year = timezone.localdate().year
    return render(
        request,
        "visits/cards/staff_ranking.html",
        {"rows": rows, "fiscal_year": fiscal_year, "years": list(range(this_year - 1, this_year + 4))},
    )


def _prefill(params) -> dict:
    """What a link may fill in: ?source=meeting&meeting_reference=2026-0012
    &neighborhood=<code> (from a meeting request), ?visit=<pk>, ?tour=<pk>."""
    initial: dict = {}
    source = params.get("source", "")
    if source in Suggestion.Source.values:
        initial["source"] = source
    reference = params.get("meeting_reference", "").strip()[:20]
    if reference:
        initial["meeting_reference"] = reference
        initial.setdefault("source", Suggestion.Source.MEETING)
    code = params.get("neighborhood", "").strip()
    if code:
        neighborhood = Neighborhood.objects.filter(code=code).first()
        if neighborhood:
            initial["neighborhood"] = neighborhood.pk
    visit_pk = parse.optional_id(params.get("visit"))
    if visit_pk is not None:
        visit = FieldVisit.objects.filter(pk=visit_pk).first()
        if visit:
            initial.update(visit=visit.pk, source=Suggestion.Source.FIELD_VISIT, neighborhood=visit.neighborhood_id)
    tour_pk = parse.optional_id(params.get("tour"))
    if tour_pk is not None:
        tour = ThemedTour.objects.filter(pk=tour_pk).first()
        if tour:
            initial.update(tour=tour.pk, source=Suggestion.Source.THEMED_TOUR)
    if params.get("category", "") in Category.values:
        initial["category"] = params["category"]
    return initial


@staff_required
def suggestion_new(request):
    require(request.user, PERM_ADD_SUGGESTION)
    if request.method == "POST":
        form = SuggestionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            source = data["source"]
            try:
                suggestion = services.suggestion_record(
                    neighborhood=data["neighborhood"],
                    source=source,
                    visit=data["visit"] if source == Suggestion.Source.FIELD_VISIT else None,
                    tour=data["tour"] if source == Suggestion.Source.THEMED_TOUR else None,
                    meeting_reference=data["meeting_reference"] if source == Suggestion.Source.MEETING else "",
                    title=data["title"],
                    description=data["description"],
                    category=data["category"],
                    raised_by=data["raised_by"],
                    location_text=data["location_text"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    estimated_cost=data["estimated_cost"],
                    lead_department=data["lead_department"],
                    co_departments=data["co_departments"],
                    contact_phone=data["contact_phone"],
                    contact_email=data["contact_email"],
                    contact_consent=data["contact_consent"],
                    actor=request.user,
                )
            except TongtongError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The suggestion was recorded."))
                return redirect("staff_cards:suggestion", pk=suggestion.pk)
    else:
        form = SuggestionForm(initial=_prefill(request.GET))
    return render(request, "visits/cards/staff_suggestion_new.html", {"form": form})


def _suggestion_page(request, suggestion: Suggestion, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    actions = _available_actions(request.user, suggestion)
    forms = {}
    for name in ACTIONS:
        if name in bound:
            forms[name] = bound[name]
        elif name in actions:
            forms[name] = ACTIONS[name].form(initial=_initial(name, suggestion), **actions[name])
    _decorate(suggestion)
    missing = (
        [str(JointReviewOpinion.Party(p).label) for p in selectors.missing_opinions(suggestion)]
        if suggestion.status in workflow.AWAITING_DECISION
        else []
    )
    context = {
        "s": suggestion,
        "timeline": _timeline(suggestion),
        "current_opinions": _opinion_rows(suggestion.current_opinions),
        "earlier_opinions": _opinion_rows(suggestion.earlier_opinions),
        "co_departments": [d.name for d in suggestion.co_departments.all()],
        "photos": list(suggestion.photos.all()),
        "actions": [
            {
                "name": name,
                "label": _action_label(name, suggestion.status),
                "form": form,
                "multipart": name in MULTIPART_ACTIONS,
            }
            for name, form in forms.items()
        ],
        "failed": next(iter(bound), None),
        "missing_opinions": missing,
        "contact_phone": suggestion.contact_phone,
        "budget_text": won(suggestion.budget_amount) if suggestion.budget_amount else "",
    }
    if suggestion.has_contact:
        # The resident's full contact is on this page only: who saw it is logged.
        record_access(request, suggestion, "view")
    return render(request, "visits/cards/staff_suggestion_detail.html", context, status=status)


@staff_required
def suggestion_detail(request, pk):
    return _suggestion_page(request, _suggestion_for(request.user, pk))


@staff_required
@require_POST
def suggestion_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    step = ACTIONS[action]
    suggestion = _suggestion_for(request.user, pk, may=step.may)
    options = _available_actions(request.user, suggestion).get(action, {})
    form = step.form(request.POST, request.FILES, **options)
    if form.is_valid():
        try:
            step.service(suggestion=suggestion, actor=request.user, **form.cleaned_data)
            message = step.message(form.cleaned_data)
        except TongtongError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, message)
            return redirect("staff_cards:suggestion", pk=suggestion.pk)
    # Show the page as it is now, with this form and what was typed.
    suggestion = _suggestion_for(request.user, pk)
    return _suggestion_page(request, suggestion, bound={action: form})
