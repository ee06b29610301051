"""The petition office's back office under ``/staff/petitions/``: the inbox,
a petition's page with the forms for what the user may do now, the photo of
a quick fix, the printable letter, and a petition recorded from a meeting
or a field visit.

Views are thin (like ``visits/cards/staff_views.py``): ``_petition_for``
decides who may see a petition (a department sees only its own; anything
else is a 404); each POST action is one row of ``ACTIONS`` (its form, the one
service it calls, the message); the service's error (a ``TongtongError``,
Korean) is shown in the form it came from with everything typed kept.
Who may act is the table's (``rules.available(status, actors_for(user,
petition))``); the service checks again under its row lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from petitions import rules
from petitions.access import MANAGE, VIEW, actors_for
from petitions.categories import NOT_ROUTED
from petitions.models import Petition
from petitions.office import forms, selectors, services
from petitions.office.filters import PetitionInboxFilter
from scheduling.access import require, user_department
from scheduling.audit import record_access
from scheduling.categories import Category
from scheduling.dates import local_when
from scheduling.decorators import staff_required
from scheduling.errors import TongtongError
from scheduling.http import private_page
from scheduling.languages import message_language
from scheduling.pdf import pdf_response, render_pdf
from scheduling.people import label_related
from scheduling.phones import mask_contact
from scheduling.private_files import private_file_response

PAGE_SIZE = 50
ADD = "petitions.add_petition"

STATUS_BADGES = {
    rules.RECEIVED: "bg-light-primary",
    rules.ASSIGNED: "bg-light-information",
    rules.DRAFTED: "bg-light-warning",
    rules.DISPATCHED: "bg-light-warning",
    rules.ANSWERED: "bg-light-success",
    rules.GUIDED: "bg-light-success",
    rules.TRANSFERRED: "bg-light-gray",
    rules.MERGED: "bg-light-gray",
    rules.THANKED: "bg-light-gray",
    rules.MEETING: "bg-light-secondary",
}

#: What each ``PetitionEvent.action`` means, for the history table.
ACTION_LABELS = {
    "receive": gettext_lazy("Received"),
    "to_suggestion": gettext_lazy("Put on the management card"),
    **{action: steps[0].label for action, steps in rules.BY_ACTION.items()},
}
#: What each ``PetitionNotification.kind`` said.
NOTIFICATION_LABELS = {
    "answer": gettext_lazy("The answer"),
    "guided": gettext_lazy("Guidance"),
    "extended": gettext_lazy("Deadline extended"),
    "transferred": gettext_lazy("Transferred"),
    "merged": gettext_lazy("Merged as a repeat"),
    "thanked": gettext_lazy("Thanks"),
    "resolved": gettext_lazy("Fixed"),
    "dispatch": gettext_lazy("To the field team"),
}


# --- Access ---------------------------------------------------------------------------


def _petition_for(user, reference: str) -> Petition:
    """The one access check of every petition view: a petition the user may
    not see is a 404, as one that does not exist."""
    try:
        return selectors.petition_for_page(user, reference)
    except Petition.DoesNotExist as missing:
        raise Http404 from missing


# --- The actions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One POST action of a petition's page: the form that parses it, the
    one service it calls (with the petition, the actor and the form's fields
    as keyword arguments) and the message on success."""

    form: type[django_forms.Form]
    service: Callable
    message: Callable[[Petition], str]
    multipart: bool = False


def _sent(petition: Petition) -> str:
    if petition.answer_via == Petition.AnswerVia.LETTER:
        return _("The answer is approved: print the letter from this page and send it.")
    if petition.answer_via == Petition.AnswerVia.EPEOPLE:
        return _("The answer is recorded: send it through 국민신문고.")
    return _("The answer was sent to the citizen (%(via)s).") % {"via": petition.get_answer_via_display()}


ACTIONS: dict[str, Action] = {
    "assign": Action(
        forms.AssignForm,
        services.petition_assign,
        lambda p: _("The petition was sent to %(department)s.") % {"department": p.department},
    ),
    "reassign": Action(
        forms.ReassignForm,
        services.petition_reassign,
        lambda p: _("The petition was sent to %(department)s.") % {"department": p.department},
    ),
    "extend": Action(
        forms.ExtendForm,
        services.petition_extend,
        lambda p: (
            _("The answer is now due %(when)s. The citizen is told the reason and the new date.")
            % {"when": local_when(p.extended_due_at)}
        ),
    ),
    "draft": Action(
        forms.DraftForm, services.petition_draft, lambda p: _("Thank you. The answer went to the secretariat.")
    ),
    "return": Action(
        forms.ReturnForm, services.petition_return, lambda p: _("The answer went back to the department.")
    ),
    "approve": Action(forms.ApproveForm, services.petition_approve, _sent),
    "answer": Action(forms.AnswerForm, services.petition_answer, _sent),
    "guide": Action(forms.GuideForm, services.petition_guide, _sent),
    "transfer": Action(
        forms.TransferForm,
        services.petition_transfer,
        lambda p: _("The petition is transferred to %(agency)s. The citizen is told.") % {"agency": p.transfer_agency},
    ),
    "merge": Action(
        forms.MergeForm,
        services.petition_merge,
        lambda p: _("The petition is merged into %(reference)s.") % {"reference": p.merged_into.reference},
    ),
    "thank": Action(forms.ThankForm, services.petition_thank, lambda p: _("The citizen is thanked.")),
    "dispatch": Action(
        forms.DispatchForm,
        services.petition_dispatch,
        lambda p: (
            _("The field team was sent a text message. The fix is due %(when)s.") % {"when": local_when(p.due_at)}
        ),
    ),
    "resolve": Action(
        forms.ResolveForm,
        services.petition_resolve,
        lambda p: _("The fix is recorded with its photo. The citizen is told."),
        multipart=True,
    ),
    "to_meeting": Action(
        forms.ToMeetingForm,
        services.petition_to_meeting,
        lambda p: (
            _("Meeting request %(reference)s was made; the citizen gets its link by text message.")
            % {"reference": p.meeting_request.reference}
        ),
    ),
    "to_suggestion": Action(
        forms.ToSuggestionForm,
        services.petition_to_suggestion,
        lambda p: _("The petition is on the management card as a suggestion."),
    ),
}


def available_actions(user, petition: Petition) -> list[str]:
    """The page's actions ``user`` may take on ``petition`` now: the table's
    (``rules.available``), less what the kind or category rules out (the
    quick service only dispatches; praise and guidance are not routed)."""
    actors = actors_for(user, petition)
    names = {t.action for t in rules.available(petition.status, actors)}
    if petition.kind == rules.QUICK:
        names -= {"assign", "answer"}
    else:
        names.discard("dispatch")
    if petition.category in NOT_ROUTED:
        names -= {"assign", "reassign", "to_meeting"}
    if petition.extended_due_at is not None:
        names.discard("extend")
    if (
        rules.SECRETARIAT in actors
        and petition.suggestion_id is None
        and petition.category in Category.values
        and petition.status in rules.OPEN
    ):
        names.add("to_suggestion")
    return [name for name in ACTIONS if name in names]


def _label(name: str):
    if name == "to_suggestion":
        return _("Put on the management card")
    return rules.BY_ACTION[name][0].label


def _initial(name: str, petition: Petition) -> dict:
    if name == "assign":
        suggested = services.suggested_department(petition)
        return {"department": suggested.pk} if suggested else {}
    return {}


# --- Pages -------------------------------------------------------------------------------


@dataclass
class InboxRow:
    petition: Petition
    contact: str
    badge: str


@staff_required
def inbox(request):
    """Every petition the user may see, newest first; a department sees its own."""
    require(request.user, VIEW)
    sees_all = request.user.has_perm(MANAGE)
    base = selectors.inbox(request.user)
    filters = PetitionInboxFilter(request.GET or None, queryset=base, sees_departments=sees_all)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        InboxRow(petition=p, contact=mask_contact(p.phone or p.email), badge=STATUS_BADGES.get(p.status, ""))
        for p in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "petitions/office/inbox.html",
        {
            "filters": filters,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "rows": rows,
            "query": query.urlencode(),
            "sees_all": sees_all,
            "department": None if sees_all else user_department(request.user),
            "counts": selectors.office_counts(request.user),
        },
    )


def _petition_page(request, petition: Petition, bound: dict | None = None):
    bound = bound or {}
    forms_shown = {}
    for name in available_actions(request.user, petition):
        forms_shown[name] = bound.get(name) or ACTIONS[name].form(initial=_initial(name, petition), petition=petition)
    for name, form in bound.items():  # a refused form stays, even if the action is gone now
        forms_shown.setdefault(name, form)
    history = list(petition.history.select_related(*label_related("actor")))
    for event in history:
        event.action_label = ACTION_LABELS.get(event.action, event.action)
        event.from_label = rules.STATUS_LABELS.get(event.from_status, event.from_status)
        event.to_label = rules.STATUS_LABELS.get(event.to_status, event.to_status)
    notifications = list(petition.notifications.order_by("created_at", "pk"))
    for notification in notifications:
        notification.kind_label = NOTIFICATION_LABELS.get(notification.kind, notification.kind)
    suggested = services.suggested_department(petition) if "assign" in forms_shown else None
    context = {
        "p": petition,
        "badge": STATUS_BADGES.get(petition.status, ""),
        "is_overdue": petition.status in rules.OPEN and petition.due_at < timezone.now(),
        "history": history,
        "inbound": list(petition.inbound_messages.all()),
        "notifications": notifications,
        "repeats": list(petition.repeats.only("reference", "subject", "status")),
        "actions": [
            {
                "name": name,
                "label": _label(name),
                "form": form,
                "multipart": ACTIONS[name].multipart,
            }
            for name, form in forms_shown.items()
        ],
        "failed": next(iter(bound), None),
        "suggested": suggested,
        "can_manage": request.user.has_perm(MANAGE),
        "limit": rules.LIMITS[petition.kind],
    }
    if petition.phone or petition.email or petition.name:
        # The citizen's full contact is on this page only: who saw it is logged.
        record_access(request, petition, "view")
    return render(request, "petitions/office/detail.html", context)


@staff_required
def petition_detail(request, reference):
    require(request.user, VIEW)
    return _petition_page(request, _petition_for(request.user, reference))


@staff_required
@require_POST
def petition_action(request, reference, action):
    if action not in ACTIONS:
        raise Http404
    require(request.user, VIEW)
    petition = _petition_for(request.user, reference)
    step = ACTIONS[action]
    form = step.form(request.POST, request.FILES, petition=petition)
    if form.is_valid():
        try:
            done = step.service(petition=petition, actor=request.user, **form.cleaned_data)
        except TongtongError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, step.message(done))
            return redirect("staff_petitions:petition", reference=petition.reference)
    # Shown again as it is now, with this form and what was typed.
    return _petition_page(request, _petition_for(request.user, reference), bound={action: form})


@staff_required
@private_page
def resolution_photo(request, reference):
    """The photo of a quick fix: for whoever may see the petition."""
    require(request.user, VIEW)
    petition = _petition_for(request.user, reference)
    if not petition.resolution_photo:
        raise Http404
    extension = petition.resolution_photo.name.rsplit(".", 1)[-1].lower()
    content_type = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(extension, "image/jpeg")
    return private_file_response(
        petition.resolution_photo,
        filename=f"{petition.reference}.{extension}",
        content_type=content_type,
        as_attachment=False,
    )


@staff_required
def answer_letter(request, reference):
    """The answer as a letter to print and post (the secretariat's)."""
    require(request.user, MANAGE)
    petition = _petition_for(request.user, reference)
    if petition.status not in (rules.ANSWERED, rules.GUIDED) or not petition.answer:
        raise Http404
    record_access(request, petition, "export")
    with translation.override(message_language(petition.language)):  # the citizen's language
        data = render_pdf(
            "petitions/office/letter_pdf.html",
            {"p": petition, "answered_on": timezone.localdate(petition.closed_at)},
            request=request,
        )
    return pdf_response(
        data, filename=f"민원답변_{petition.reference}.pdf", fallback=f"petition-{petition.reference}.pdf"
    )


# --- A petition heard at a meeting or on a visit ---------------------------------------------

#: The other apps' rows, reached through our own foreign keys (petitions
#: does not import meetings or visits to read them).
MeetingRequest = Petition._meta.get_field("origin_meeting_request").related_model
FieldVisit = Petition._meta.get_field("origin_visit").related_model


def _from_origin(request, *, origin_label: str, initial: dict, origin: dict, back_url: str):
    require(request.user, ADD)
    if request.method == "POST":
        form = forms.FromOriginForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                petition, created = services.petition_from_origin(actor=request.user, **data, **origin)
            except TongtongError as error:
                form.add_error(None, str(error))
            else:
                if created:
                    messages.success(
                        request, _("Petition %(reference)s is recorded.") % {"reference": petition.reference}
                    )
                else:
                    messages.info(
                        request,
                        _("This petition was already recorded as %(reference)s.") % {"reference": petition.reference},
                    )
                return redirect("staff_petitions:petition", reference=petition.reference)
    else:
        form = forms.FromOriginForm(initial={**initial, "submission_key": f"origin:{uuid.uuid4().hex}"})
    return render(
        request,
        "petitions/office/from_origin.html",
        {"form": form, "origin_label": origin_label, "back_url": back_url},
    )


@staff_required
def from_meeting(request, pk):
    """Something heard at a meeting, recorded as a petition with the
    citizen's details carried over (they consented for the meeting: staff
    confirm it again for the petition)."""
    require(request.user, ADD)
    meeting_request = get_object_or_404(MeetingRequest.objects.select_related("neighborhood"), pk=pk)
    initial = {
        "subject": meeting_request.subject,
        "body": meeting_request.outcome_notes or meeting_request.description,
        "category": meeting_request.category,
        "neighborhood": meeting_request.neighborhood_id,
        "name": meeting_request.name,
        "phone": meeting_request.phone,
        "email": meeting_request.email,
    }
    return _from_origin(
        request,
        origin_label=_("Meeting request %(reference)s") % {"reference": meeting_request.reference},
        initial=initial,
        origin={"origin_meeting_request": meeting_request},
        back_url=reverse("staff_meetings:request", args=[meeting_request.pk]),
    )


@staff_required
def from_visit(request, pk):
    """Something heard on a field visit, recorded as a petition."""
    require(request.user, ADD)
    visit = get_object_or_404(FieldVisit.objects.select_related("neighborhood"), pk=pk)
    return _from_origin(
        request,
        origin_label=_("Field visit to %(neighborhood)s, %(when)s")
        % {"neighborhood": visit.neighborhood, "when": local_when(visit.start)},
        initial={"neighborhood": visit.neighborhood_id},
        origin={"origin_visit": visit},
        back_url=reverse("staff_visit_records:visit", kwargs={"visit_pk": visit.pk}),
    )
