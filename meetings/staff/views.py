"""The TongTong Day back office under ``/staff/meetings/``: the secretariat's
queue and request pages, requests taken by phone or at the counter, the
meeting days with their run sheets, and the departments' review inbox.

Views are thin (see docs/meetings.md): one access helper per object kind
checks the user's permission and scope, a form parses what was typed, one
service acts. A ``MeetingError`` is shown in the form it came from, with
everything typed kept; success is a message and a redirect (POST/redirect/GET).

Permissions are the default model permissions the roles hold (see
``MeetingsConfig.ready``): the secretariat changes requests and meeting days;
an official views the requests they meet; department staff view and answer
their own department's reviews.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Prefetch, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from meetings.access import (
    PERM_ANSWER_REVIEWS,
    PERM_CHANGE_DAYS,
    PERM_INTAKE,
    PERM_MANAGE_REQUESTS,
    PERM_VIEW_DAYS,
    PERM_VIEW_REVIEWS,
    request_scope,
)
from meetings.errors import MeetingError
from meetings.models import (
    Appointment,
    MeetingDay,
    MeetingRequest,
    PreferredDay,
    ReviewRequest,
    Slot,
    WaitlistEntry,
)
from meetings.rules import BOOKED_STATUSES, OPEN_STATUSES, TRANSITIONS, is_late
from meetings.selectors import bookable_meeting_days, free_slots, meeting_days_between, request_queue
from meetings.services import booking
from meetings.services import review as review_service
from meetings.services.notifications import format_when
from meetings.services.requests import meeting_request_submit
from meetings.services.series import meeting_day_cancel, meeting_day_move
from meetings.staff.filters import RequestQueueFilter
from meetings.staff.forms import (
    AnswerForm,
    CloseForm,
    DayCancelForm,
    DayMoveForm,
    DeclineForm,
    ExtendForm,
    IntakeForm,
    OutcomeForm,
    ReviewAnswerForm,
    ReviewAskForm,
    ReviewOverrideForm,
    SlotBookForm,
    SubstituteForm,
)
from scheduling import page_parts, params
from scheduling.access import require, user_department
from scheduling.audit import record_access
from scheduling.clock import working_days_between
from scheduling.dates import korean_date
from scheduling.decorators import staff_required
from scheduling.people import label_related
from scheduling.phones import mask_phone
from scheduling.workdays import working_calendar

S = MeetingRequest.Status
ACTIVE = Appointment.Status.ACTIVE


PAGE_SIZE = 50
DAYS_PAGE_MONTHS = 4

STATUS_BADGES = {
    S.SUBMITTED: "bg-light-primary",
    S.UNDER_REVIEW: "bg-light-information",
    S.WAITLISTED: "bg-light-warning",
    S.SCHEDULED: "bg-light-success",
    S.SUBSTITUTED: "bg-light-success",
    S.ANSWERED: "bg-light-gray",
    S.DECLINED: "bg-light-gray",
    S.HELD: "bg-light-secondary",
    S.NO_SHOW: "bg-light-danger",
    S.CANCELLED: "bg-light-gray",
    S.CLOSED: "bg-light-gray",
}
DAY_BADGES = {
    MeetingDay.Status.REGULAR: "bg-light-primary",
    MeetingDay.Status.MOVED: "bg-light-warning",
    MeetingDay.Status.CANCELLED: "bg-light-danger",
}

#: What each ``RequestEvent.action`` means, for the history table.
ACTION_LABELS = {
    "link_renewed": gettext_lazy("New status link issued to the verified phone"),
    "submitted": gettext_lazy("Request received"),
    "review_asked": gettext_lazy("Department opinion asked"),
    "review_answered": gettext_lazy("Department opinion received"),
    "review_overridden": gettext_lazy("Booked without the review"),
    "booked_other_day": gettext_lazy("Booked with the mayor on another day"),
    "booked": gettext_lazy("Booked with the mayor"),
    "substituted": gettext_lazy("Substitute meeting booked"),
    "answered": gettext_lazy("Answered in writing"),
    "declined": gettext_lazy("Declined"),
    "extended": gettext_lazy("Due date extended"),
    "outcome": gettext_lazy("Outcome recorded"),
    "closed": gettext_lazy("Closed"),
    "cancelled_by_citizen": gettext_lazy("Cancelled by the citizen"),
    "asked_other_day": gettext_lazy("Citizen asked for another day"),
    "waitlist_offered": gettext_lazy("Freed slot offered from the waiting list"),
    "meeting_day_cancelled": gettext_lazy("Meeting day cancelled; booking released"),
    "released": gettext_lazy("Booking released"),
    "feedback": gettext_lazy("Satisfaction answer received"),
}

#: What each ``Notification.kind`` told the citizen.
NOTIFICATION_LABELS = {
    "submitted": gettext_lazy("Receipt and status link"),
    "under_review": gettext_lazy("Under review"),
    "scheduled": gettext_lazy("Meeting booked"),
    "substituted": gettext_lazy("Substitute meeting booked"),
    "answered": gettext_lazy("Written answer"),
    "declined": gettext_lazy("Declined"),
    "extended": gettext_lazy("Due date extended"),
    "cancelled": gettext_lazy("Cancellation"),
    "meeting_day_moved": gettext_lazy("Meeting day moved"),
    "meeting_day_cancelled": gettext_lazy("Meeting day cancelled"),
    "waitlist_offer": gettext_lazy("Freed slot offered"),
    "reminder": gettext_lazy("Reminder the day before"),
    "satisfaction": gettext_lazy("Satisfaction question"),
    "moved_by_citizen": gettext_lazy("Request for another day received"),
}


# --- Access: one helper per object kind ---------------------------------------


def _request_for_viewer(request, pk) -> MeetingRequest:
    scope = request_scope(request.user)
    requests = MeetingRequest.objects.all() if scope is None else scope
    return get_object_or_404(requests.select_related("neighborhood"), pk=pk)


def _request_for_secretariat(request, pk) -> MeetingRequest:
    require(request.user, PERM_MANAGE_REQUESTS)
    return get_object_or_404(MeetingRequest.objects.select_related("neighborhood"), pk=pk)


def _day_for_secretariat(request, pk, permission: str = PERM_VIEW_DAYS) -> MeetingDay:
    require(request.user, permission)
    return get_object_or_404(MeetingDay.objects.select_related("series__official"), pk=pk)


def _review_for_department(request, pk) -> ReviewRequest:
    """A review of the user's own department (the secretariat sees them all)."""
    require(request.user, PERM_VIEW_REVIEWS)
    reviews = ReviewRequest.objects.select_related(
        "request__neighborhood", "department", *label_related("asked_by"), *label_related("answered_by")
    )
    if not request.user.has_perm(PERM_MANAGE_REQUESTS):
        reviews = reviews.filter(department=user_department(request.user))
    return get_object_or_404(reviews, pk=pk)


# --- Small helpers ------------------------------------------------------------


def _day_label(day: MeetingDay) -> str:
    return format_when(day.start)


def _days_waiting(meeting_request: MeetingRequest, calendar, today: dt.date) -> int:
    submitted = timezone.localtime(meeting_request.submitted_at).date()
    end = timezone.localtime(meeting_request.first_answered_at).date() if meeting_request.first_answered_at else today
    return working_days_between(submitted, end, calendar=calendar)


def _calendar_since(moments) -> tuple[object, dt.date]:
    today = timezone.localdate()
    earliest = min((timezone.localtime(m).date() for m in moments), default=today)
    return working_calendar(earliest, today), today


# --- The queue ----------------------------------------------------------------


@dataclass
class QueueRow:
    request: MeetingRequest
    submitted: str
    days_waiting: int
    phone: str
    due: str
    badge: str
    official: object = None
    preferred: list[str] = field(default_factory=list)
    #: The department head's review: "answered", "late", "waiting", "overridden" or "" (not asked).
    review: str = ""


def _review_state(meeting_request: MeetingRequest, today: dt.date) -> str:
    reviews = meeting_request.all_reviews
    if any(r.answered_at for r in reviews):
        return "answered"
    if meeting_request.review_override_reason:
        return "overridden"
    if any(review_service.review_is_late(r, today) for r in reviews):
        return "late"
    return "waiting" if reviews else ""


@staff_required
def queue(request):
    """Open requests, the late ones first, then by due date."""
    scope = request_scope(request.user)
    base = request_queue()
    if scope is not None:
        base = base.filter(pk__in=scope.values("pk"))
    filters = RequestQueueFilter(request.GET or None, queryset=base, scope=scope)
    requests = filters.qs.prefetch_related(
        Prefetch("preferences", queryset=PreferredDay.objects.select_related("meeting_day")),
        Prefetch(
            "appointments",
            queryset=Appointment.objects.filter(status=ACTIVE).select_related("official"),
            to_attr="active_appointments",
        ),
        Prefetch("reviews", queryset=ReviewRequest.objects.order_by("asked_at"), to_attr="all_reviews"),
    )
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    calendar, today = _calendar_since(r.submitted_at for r in items)
    rows = [
        QueueRow(
            request=r,
            submitted=korean_date(timezone.localtime(r.submitted_at).date()),
            days_waiting=_days_waiting(r, calendar, today),
            phone=mask_phone(r.phone),
            due=format_when(r.due),
            badge=STATUS_BADGES.get(r.status, "bg-light-gray"),
            official=r.active_appointments[0].official if r.active_appointments else None,
            preferred=[korean_date(timezone.localtime(p.meeting_day.start).date()) for p in r.preferences.all()],
            review=_review_state(r, today) if r.status in OPEN_STATUSES else "",
        )
        for r in items
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "meetings/staff/queue.html",
        {
            "filters": filters,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "rows": rows,
            "late_count": base.filter(is_late=True).count(),
            "query": query.urlencode(),
            "can_intake": request.user.has_perm(PERM_INTAKE),
        },
    )


# --- A request's page and its actions -----------------------------------------

ACTION_FORMS = {
    "review": ReviewAskForm,
    "override": ReviewOverrideForm,
    "book": SlotBookForm,
    "substitute": SubstituteForm,
    "answer": AnswerForm,
    "decline": DeclineForm,
    "extend": ExtendForm,
    "outcome": OutcomeForm,
    "close": CloseForm,
}


@dataclass
class SlotGroup:
    day: MeetingDay
    label: str
    is_preferred: bool
    slots: list[tuple[Slot, str]]


def _slot_groups(meeting_request: MeetingRequest, now: dt.datetime) -> list[SlotGroup]:
    """The free slots of the request's preferred days first (full ones shown
    as such), then those of the other days still to come."""
    today = timezone.localdate(now)
    preferred = [p.meeting_day for p in meeting_request.preferences.select_related("meeting_day")]
    upcoming = [  # a day not saved yet has no slots to book (the sync builds them, celery beat)
        day
        for day in meeting_days_between(today, today + dt.timedelta(days=settings.MEETING_BOOKING_HORIZON_DAYS))
        if day.pk is not None
    ]
    groups = []
    for day in [*preferred, *(d for d in upcoming if d not in preferred)]:
        if day.is_cancelled or day.end <= now:
            continue
        slots = [(slot, f"{timezone.localtime(slot.start):%H:%M}") for slot in free_slots(day).filter(start__gt=now)]
        is_preferred = day in preferred
        if slots or is_preferred:
            groups.append(SlotGroup(day=day, label=_day_label(day), is_preferred=is_preferred, slots=slots))
    return groups


@dataclass
class ProposalRow:
    proposal: booking.Proposal
    times: list[tuple[str, str]]  # (form value, label)


def _substitute_proposals(meeting_request: MeetingRequest) -> tuple[list[ProposalRow], list[str]]:
    proposals, problems = booking.substitute_proposals(meeting_request)
    rows = [
        ProposalRow(p, [(SubstituteForm.value_for(p.official, start), format_when(start)) for start in p.times])
        for p in proposals
    ]
    return rows, problems


def _available_actions(meeting_request: MeetingRequest, appointment, now) -> set[str]:
    allowed = TRANSITIONS[meeting_request.status]
    actions = set()
    if meeting_request.status in OPEN_STATUSES:
        actions.add("review")
    if booking.review_gate_error(meeting_request) and meeting_request.status in OPEN_STATUSES:
        actions.add("override")
    if S.SCHEDULED in allowed:
        actions.add("book")
    if S.SUBSTITUTED in allowed:
        actions.add("substitute")
    if S.ANSWERED in allowed:
        actions.add("answer")
    if S.DECLINED in allowed:
        actions.add("decline")
    if not meeting_request.extended_due_at and not meeting_request.first_answered_at:
        actions.add("extend")
    if appointment and appointment.start <= now and meeting_request.status in BOOKED_STATUSES:
        actions.add("outcome")
    if S.CLOSED in allowed:
        actions.add("close")
    return actions


def _action_forms(meeting_request: MeetingRequest, actions: set[str], bound: dict) -> dict:
    forms = {}
    for name in actions | set(bound):
        if name in bound:
            forms[name] = bound[name]
            continue
        initial = {}
        if name == "review":
            owner = review_service.owning_department(meeting_request)
            initial["department"] = owner.pk if owner else None
        elif name == "extend":
            # Proposed: as many working days again as the first period.
            due = timezone.localtime(meeting_request.due_at).date()
            calendar = working_calendar(due, due + dt.timedelta(days=90))
            initial["new_due"] = calendar.add_working_days(due, settings.MEETING_ANSWER_DAYS)
        forms[name] = ACTION_FORMS[name](initial=initial)
    return forms


def _request_page(request, meeting_request: MeetingRequest, bound: dict | None = None):
    """The request's page: its facts, the meeting, the opinions, what happened
    and the messages. Objects go to the template, which formats them
    (``|when``, ``|kdate``, ``|masked``); only labels the models do not know
    are added here."""
    bound = bound or {}
    now = timezone.now()
    appointment = meeting_request.active_appointment
    calendar, today = _calendar_since([meeting_request.submitted_at])
    reviews = list(
        meeting_request.reviews.select_related(
            "department", *label_related("asked_by"), *label_related("answered_by"), "reviewer", "recommended_official"
        )
    )
    for item in reviews:
        item.is_late = review_service.review_is_late(item)
    history = list(meeting_request.history.select_related(*label_related("actor")))
    for event in history:
        event.action_label = ACTION_LABELS.get(event.action, event.action)
        event.from_label = S(event.from_status).label if event.from_status in S.values else event.from_status
        event.to_label = S(event.to_status).label if event.to_status in S.values else event.to_status
    notifications = list(meeting_request.notifications.order_by("created_at", "pk"))
    for notification in notifications:
        notification.kind_label = NOTIFICATION_LABELS.get(notification.kind, notification.kind)
    context = {
        "r": meeting_request,
        "badge": STATUS_BADGES.get(meeting_request.status, "bg-light-gray"),
        "is_late": is_late(meeting_request, now),
        "days_waiting": _days_waiting(meeting_request, calendar, today),
        "needs": meeting_request.accessibility_needs(),
        "preferences": list(meeting_request.preferences.select_related("meeting_day")),
        "waitlist": list(meeting_request.waitlist_entries.select_related("meeting_day")),
        "appointment": appointment,
        "reviews": reviews,
        "review_gate": booking.review_gate_error(meeting_request),
        "history": history,
        "notifications": notifications,
        "can_manage": request.user.has_perm(PERM_MANAGE_REQUESTS),
    }
    if context["can_manage"]:
        actions = _available_actions(meeting_request, appointment, now)
        forms = _action_forms(meeting_request, actions, bound)
        context["forms"] = forms
        context["failed"] = next(iter(bound), None)
        if "book" in forms:
            context["slot_groups"] = _slot_groups(meeting_request, now)
        # Finding free times reads every candidate's calendar: only on demand.
        context["proposing"] = "substitute" in forms and ("substitute" in bound or request.GET.get("propose") == "1")
        if context["proposing"]:
            context["proposals"], context["proposal_problems"] = _substitute_proposals(meeting_request)
    # The one page with the citizen's full number: who saw it is logged.
    record_access(request, meeting_request, "view")
    return render(request, "meetings/staff/request_detail.html", context)


@staff_required
def request_detail(request, pk):
    return _request_page(request, _request_for_viewer(request, pk))


def _act(request, meeting_request: MeetingRequest, name: str, perform):
    """Parse the action's form and call ``perform(cleaned_data, form)``, which calls
    one service and returns the success message. A ``MeetingError`` shows the
    page again with the message in that form and what was typed kept."""
    form = ACTION_FORMS[name](request.POST)
    if form.is_valid():
        try:
            message = perform(form.cleaned_data, form)
        except MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, message)
            return redirect("staff_meetings:request", pk=meeting_request.pk)
    meeting_request.refresh_from_db()
    return _request_page(request, meeting_request, bound={name: form})


@staff_required
@require_POST
def request_review_ask(request, pk):
    meeting_request = _request_for_secretariat(request, pk)

    def perform(data, form):
        asked = review_service.review_ask(
            request=meeting_request,
            department=data["department"],
            question=data["question"],
            due_on=data["due_on"],
            actor=request.user,
        )
        return _("%(department)s was asked for its opinion.") % {"department": asked.department}

    return _act(request, meeting_request, "review", perform)


@staff_required
@require_POST
def request_review_override(request, pk):
    meeting_request = _request_for_secretariat(request, pk)

    def perform(data, form):
        review_service.review_override(request=meeting_request, reason=data["reason"], actor=request.user)
        return _("The request may now be booked without the review. The reason is kept in its history.")

    return _act(request, meeting_request, "override", perform)


@staff_required
@require_POST
def request_book(request, pk):
    meeting_request = _request_for_secretariat(request, pk)

    def perform(data, form):
        appointment = booking.slot_book(request=meeting_request, slot=data["slot"], actor=request.user)
        return _("Booked with %(official)s on %(when)s. The citizen is told by text message.") % {
            "official": appointment.official,
            "when": format_when(appointment.start),
        }

    return _act(request, meeting_request, "book", perform)


@staff_required
@require_POST
def request_substitute(request, pk):
    meeting_request = _request_for_secretariat(request, pk)

    def perform(data, form):
        appointment = booking.request_substitute(
            request=meeting_request,
            official=data["official"],
            start=data["start"],
            reason=data["reason"],
            location=data["location"],
            actor=request.user,
        )
        return _("%(official)s will meet the citizen on %(when)s. The citizen is told who and why by text message.") % {
            "official": appointment.official,
            "when": format_when(appointment.start),
        }

    return _act(request, meeting_request, "substitute", perform)


@staff_required
@require_POST
def request_answer(request, pk):
    meeting_request = _request_for_secretariat(request, pk)

    def perform(data, form):
        booking.request_answer_in_writing(request=meeting_request, answer=data["answer"], actor=request.user)
        return _("The written answer was saved. The citizen is told by text message.")

    return _act(request, meeting_request, "answer", perform)


@staff_required
@require_POST
def request_decline(request, pk):
    meeting_request = _request_for_secretariat(request, pk)

    def perform(data, form):
        booking.request_decline(request=meeting_request, reason=data["reason"], actor=request.user)
        return _("The request was declined. The citizen is told the reason by text message.")

    return _act(request, meeting_request, "decline", perform)


@staff_required
@require_POST
def request_extend(request, pk):
    meeting_request = _request_for_secretariat(request, pk)

    def perform(data, form):
        updated = booking.due_date_extend(
            request=meeting_request, new_due=form.new_due_at(), reason=data["reason"], actor=request.user
        )
        return _("The answer is now due %(when)s. The citizen is told the reason and the new date.") % {
            "when": format_when(updated.extended_due_at)
        }

    return _act(request, meeting_request, "extend", perform)


@staff_required
@require_POST
def request_outcome(request, pk):
    meeting_request = _request_for_secretariat(request, pk)

    def perform(data, form):
        booking.outcome_record(
            request=meeting_request, outcome=data["outcome"], notes=data["notes"], actor=request.user
        )
        return _("The outcome was recorded.")

    return _act(request, meeting_request, "outcome", perform)


@staff_required
@require_POST
def request_close(request, pk):
    meeting_request = _request_for_secretariat(request, pk)

    def perform(data, form):
        booking.request_close(request=meeting_request, note=data["note"], actor=request.user)
        return _("The request is closed.")

    return _act(request, meeting_request, "close", perform)


# --- Phone and walk-in requests ----------------------------------------------


@staff_required
def intake(request):
    """A request taken by phone or at the counter, through the same service
    as the public form; the citizen gets the status link by text message."""
    require(request.user, PERM_INTAKE)
    form = IntakeForm(request.POST if request.method == "POST" else None, bookable_days=bookable_meeting_days())
    if form.is_bound and form.is_valid():
        try:
            submission = meeting_request_submit(**form.service_arguments(), actor=request.user)
        except MeetingError as error:
            form.add_error(None, str(error))
        else:
            saved = submission.request
            if submission.created:
                messages.success(
                    request,
                    _(
                        "Request %(reference)s is saved. The citizen gets the link to follow it by text message "
                        "at %(phone)s."
                    )
                    % {"reference": saved.reference, "phone": mask_phone(saved.phone)},
                )
            else:
                messages.info(
                    request, _("This request was already saved as %(reference)s.") % {"reference": saved.reference}
                )
            return redirect("staff_meetings:request", pk=saved.pk)
    retention_years = settings.MEETING_RETENTION_YEARS
    return render(request, "meetings/staff/intake.html", {"form": form, "retention_years": retention_years})


# --- Meeting days -------------------------------------------------------------


def _month_start(raw: str | None) -> dt.date:
    return params.optional_month(raw) or timezone.localdate().replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class DayRow:
    day: MeetingDay
    label: str
    original: str
    badge: str


@staff_required
def days(request):
    """The meeting days of the coming months, each with its status, reason
    and bookings."""
    require(request.user, PERM_VIEW_DAYS)
    start = _month_start(request.GET.get("from"))
    end = _add_months(start, DAYS_PAGE_MONTHS) - dt.timedelta(days=1)
    rows = [
        DayRow(
            day=day,
            label=_day_label(day),
            original=korean_date(day.original_date),
            badge=DAY_BADGES[day.status],
        )
        for day in meeting_days_between(start, end, waiting=True)
    ]
    return render(
        request,
        "meetings/staff/days.html",
        {
            "rows": rows,
            "period": f"{korean_date(start)} – {korean_date(end)}",
            # The page shows four months but steps one at a time: staff look
            # for "the month before", not for the four months before.
            "previous": f"{_add_months(start, -1):%Y-%m}",
            "next": f"{_add_months(start, 1):%Y-%m}",
        },
    )


def _day_slots(day: MeetingDay) -> list[tuple[Slot, str, Appointment | None]]:
    slots = day.slots.prefetch_related(
        Prefetch(
            "appointments",
            queryset=Appointment.objects.filter(status=ACTIVE).select_related("request__neighborhood", "official"),
            to_attr="active",
        )
    ).order_by("start")
    return [
        (slot, f"{timezone.localtime(slot.start):%H:%M}", slot.active[0] if slot.active else None) for slot in slots
    ]


def _day_page(request, day: MeetingDay, bound: dict | None = None):
    bound = bound or {}
    local = timezone.localtime(day.start)
    slots = _day_slots(day)
    can_change = request.user.has_perm(PERM_CHANGE_DAYS) and not day.is_cancelled
    context = {
        "day": day,
        "label": _day_label(day),
        "original": korean_date(day.original_date),
        "badge": DAY_BADGES[day.status],
        "slots": slots,
        "booked": sum(1 for _s, _t, appointment in slots if appointment),
        "waiting": day.waitlist.filter(status=WaitlistEntry.Status.WAITING).count(),
        "can_change": can_change,
        "failed": next(iter(bound), None),
    }
    if can_change or bound:
        context["move_form"] = bound.get("move") or DayMoveForm(
            initial={"date": local.date(), "time": local.time().replace(second=0, microsecond=0)}
        )
        context["cancel_form"] = bound.get("cancel") or DayCancelForm()
    return render(request, "meetings/staff/day_detail.html", context)


@staff_required
def day_detail(request, pk):
    return _day_page(request, _day_for_secretariat(request, pk))


@staff_required
@require_POST
def day_move(request, pk):
    day = _day_for_secretariat(request, pk, PERM_CHANGE_DAYS)
    form = DayMoveForm(request.POST)
    if form.is_valid():
        try:
            moved = meeting_day_move(
                day=day, new_start=form.new_start(), reason=form.cleaned_data["reason"], actor=request.user
            )
        except MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "The meeting day moved to %(when)s. %(count)s booked citizen is told by text message.",
                    "The meeting day moved to %(when)s. %(count)s booked citizens are told by text message.",
                    len(moved),
                )
                % {"when": format_when(form.new_start()), "count": len(moved)},
            )
            return redirect("staff_meetings:day", pk=day.pk)
    day.refresh_from_db()
    return _day_page(request, day, bound={"move": form})


@staff_required
@require_POST
def day_cancel(request, pk):
    day = _day_for_secretariat(request, pk, PERM_CHANGE_DAYS)
    form = DayCancelForm(request.POST)
    if form.is_valid():
        try:
            affected = meeting_day_cancel(day=day, reason=form.cleaned_data["reason"], actor=request.user)
        except MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "The meeting day is cancelled. %(count)s request went back to review; its citizen is told.",
                    "The meeting day is cancelled. %(count)s requests went back to review; their citizens are told.",
                    len(affected),
                )
                % {"count": len(affected)},
            )
            return redirect("staff_meetings:day", pk=day.pk)
    day.refresh_from_db()
    return _day_page(request, day, bound={"cancel": form})


@dataclass
class RunSheetRow:
    time: str
    appointment: Appointment | None
    phone: str = ""
    needs: list[str] = field(default_factory=list)
    #: Other apps' notes for the request (the consultation room booked for it): scheduling.page_parts.
    notes: list = field(default_factory=list)


@staff_required
def run_sheet(request, pk):
    """The printable plan of a meeting day: every slot in order, who comes,
    what about, what they need, and their full number: on the day the
    person at the door calls a citizen who is late, from the sheet in their
    hand (docs/privacy.md). Secretariat only; every citizen on it is logged."""
    day = _day_for_secretariat(request, pk)
    slots = _day_slots(day)
    notes = page_parts.row_notes_for(page_parts.PAGE_RUN_SHEET, [a.request_id for _s, _t, a in slots if a])
    rows = [
        RunSheetRow(
            time=time,
            appointment=appointment,
            phone=appointment.request.phone if appointment else "",
            needs=appointment.request.accessibility_needs() if appointment else [],
            notes=notes.get(appointment.request_id, []) if appointment else [],
        )
        for _slot, time, appointment in slots
    ]
    # A printable list of names: each citizen on it is logged as exported.
    record_access(request, [row.appointment.request for row in rows if row.appointment], "export")
    return render(
        request,
        "meetings/staff/run_sheet.html",
        {
            "day": day,
            "label": _day_label(day),
            "rows": rows,
            "booked": sum(1 for row in rows if row.appointment),
            "printed": format_when(timezone.now()),
        },
    )


# --- The department inbox -----------------------------------------------------


@dataclass
class ReviewRow:
    review: ReviewRequest
    asked: str
    due: str
    is_overdue: bool


@staff_required
def reviews(request):
    """Review requests of the user's department, unanswered and overdue
    first. The secretariat sees every department's, to follow them up."""
    require(request.user, PERM_VIEW_REVIEWS)
    all_departments = request.user.has_perm(PERM_MANAGE_REQUESTS)
    department = user_department(request.user)
    today = timezone.localdate()
    queryset = ReviewRequest.objects.select_related("request__neighborhood", "department")
    if not all_departments:
        queryset = queryset.filter(department=department) if department else queryset.none()
    queryset = queryset.annotate(
        rank=Case(
            When(review_service.late_q(today), then=Value(0)),
            When(answered_at__isnull=True, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", F("due_on").asc(nulls_last=True), "asked_at", "pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        ReviewRow(
            review=review,
            asked=format_when(review.asked_at),
            due=korean_date(review.due_on) if review.due_on else "",
            is_overdue=review.rank == 0,
        )
        for review in page.object_list
    ]
    return render(
        request,
        "meetings/staff/reviews.html",
        {
            "rows": rows,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "department": department,
            "all_departments": all_departments,
            "open_count": queryset.filter(answered_at__isnull=True).count(),
        },
    )


@staff_required
def review_detail(request, pk):
    """One review: what the department needs to know of the request (no
    phone, no name), and its answer form."""
    item = _review_for_department(request, pk)
    user = request.user
    may_answer = user.has_perm(PERM_ANSWER_REVIEWS) and not item.answered_at and review_service.may_answer(item, user)
    form = ReviewAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require(user, PERM_ANSWER_REVIEWS)
        if form.is_valid():
            data = form.cleaned_data
            try:
                review_service.review_answer(
                    review=item,
                    opinion=data["opinion"],
                    meeting_needed=data["meeting_needed"],
                    department_can_resolve=data["department_can_resolve"],
                    recommended_official=data["recommended_official"],
                    actor=user,
                )
            except MeetingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Thank you. The opinion was sent to the secretariat."))
                return redirect("staff_meetings:reviews")
        item.refresh_from_db()
    meeting_request = item.request
    return render(
        request,
        "meetings/staff/review_detail.html",
        {
            "review": item,
            "is_late": review_service.review_is_late(item),
            "r": meeting_request,
            "asked": format_when(item.asked_at),
            "due": korean_date(item.due_on) if item.due_on else "",
            "answered": format_when(item.answered_at) if item.answered_at else "",
            "submitted": format_when(meeting_request.submitted_at),
            "preferences": [
                _day_label(p.meeting_day) for p in meeting_request.preferences.select_related("meeting_day")
            ],
            "form": form,
            "may_answer": may_answer or form.is_bound,
            "can_see_request": user.has_perm(PERM_MANAGE_REQUESTS),
            "request_url": reverse("staff_meetings:request", args=[meeting_request.pk]),
        },
    )
