"""The citizen's public pages of TongTong Day: the home page, the request
form and its done page, the private status page with its actions (cancel,
ask for another day, accept a waiting-list offer, the .ics download) and the
satisfaction question.

Views parse a form, call one service from ``meetings.services``, turn a
``MeetingError`` into a form error or a message, and redirect.

The pages behind a private link (the status page, its actions, the done
page and the feedback page) are never cached, never indexed, and never send
their address in a Referer (``scheduling.http.private_page``).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from meetings.errors import MeetingError
from meetings.models import MeetingRequest, PreferredDay, WaitlistEntry
from meetings.public.forms import FeedbackForm, OtherDayForm, PublicRequestForm, free_slot_count
from meetings.rules import FIRST_ANSWERS, OPEN_STATUSES
from meetings.selectors import bookable_meeting_days, day_key, is_bookable, upcoming_meeting_days
from meetings.services import booking
from meetings.services.feedback import feedback_submit, request_for_feedback
from meetings.services.notifications import decline_remedies
from meetings.services.requests import meeting_request_code_send, meeting_request_submit, request_for_token
from scheduling.categories import Category
from scheduling.client_ip import client_ip
from scheduling.dates import local_date, local_when, read_korean_datetime
from scheduling.fragments import digest, rows
from scheduling.http import calendar_response, private_page
from scheduling.ical import CONFIRMED, Feed, IcalEvent
from scheduling.models import Neighborhood
from scheduling.rate_limits import submission_limit, token_lookup_limit
from scheduling.verification import (
    Purpose,
    VerificationError,
)
from scheduling.views import (
    pending_verification,
    typed_as_post,
    typed_fields,
    verification_code_page,
    verification_code_posted,
)

logger = logging.getLogger(__name__)

S = MeetingRequest.Status

#: The session remembers the requests sent from this browser, so that a
#: reload or a second submit of the same form shows the same done page:
#: ``{reference: {"token": str | None, "key": str(submission_key)}}``.
SESSION_KEY = "tongtong.meetings.submitted"
SESSION_KEEP = 10
#: The phone verification this browser is in the middle of (its key).
PENDING_KEY = "tongtong.meetings.pending_verification"
#: How long the personal data is kept after the meeting (the consent text).
#: Text that looks like an HTML tag or comment: ``<b``, ``</``, ``<!--``.
#: Every page behind a private link counts against one limit per address.
status_limit = token_lookup_limit("meetings-status")


# --- Helpers -----------------------------------------------------------------


when = local_when  # 2026. 12. 10.(목) 14:00, or Thu 10 Dec 2026, 14:00 in English


def _request_or_404(token: str) -> MeetingRequest:
    meeting_request = request_for_token(token)
    if meeting_request is None:
        raise Http404("no such status link")
    return meeting_request


def _neighborhood_rows():
    """Every column of every neighborhood, for the digest of the fragments
    that list them (a rename is on the next page)."""
    return rows("neighborhoods", Neighborhood.objects.values_list)


def home(request):
    """The public front page: what TongTong Day is, the next meeting days,
    the way to ask for a meeting, and the city's neighborhoods. Reads only:
    no series yet (no mayor, nothing synced) shows that days are coming."""
    now = timezone.now()
    days = upcoming_meeting_days(count=4, now=now)
    for day in days:
        day.key = day_key(day)
        day.when = when(day.start)
        day.original_when = local_date(day.original_date)
        day.is_offered = is_bookable(day, now=now)
        day.free_slots = free_slot_count(day)
    return render(
        request,
        "meetings/home.html",
        {
            "meeting_days": days,
            # Kept rendered under a digest of the rows (scheduling/fragments.py):
            # the list is read only to render it again.
            "neighborhoods": Neighborhood.objects.all(),
            "neighborhoods_key": digest(_neighborhood_rows()),
        },
    )


# --- The request form ----------------------------------------------------------


def _initial_day(request, days) -> dict:
    """``?day=<rule date>`` (the home page's "request this day") ticks it,
    if it is still offered."""
    day = request.GET.get("day", "")
    if any(day_key(offered) == day for offered in days):
        return {"preferred_days": [day]}
    return {}


def _submitted(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def _remember(request, submission) -> None:
    submitted = dict(_submitted(request))
    reference = submission.request.reference
    token = submission.token or (submitted.get(reference) or {}).get("token")
    submitted.pop(reference, None)
    submitted[reference] = {"token": token, "key": str(submission.request.submission_key)}
    request.session[SESSION_KEY] = dict(list(submitted.items())[-SESSION_KEEP:])


def _reference_for_key(request, key: str) -> str | None:
    for reference, entry in _submitted(request).items():
        if entry.get("key") == key:
            return reference
    return None


@require_http_methods(["GET", "HEAD", "POST"])
@submission_limit
def request_form(request):
    days = bookable_meeting_days()
    if request.method == "POST":
        reference = _reference_for_key(request, request.POST.get("submission_key", ""))
        if reference:  # sent again from this browser (double tap, back + resend)
            return redirect("meetings:request_done", reference=reference)
        form = PublicRequestForm(request.POST, bookable_days=days)
        if form.honeypot_filled:  # a robot: looks sent, nothing stored, nothing sent
            logger.info("request form honeypot filled: submission dropped (client %s)", client_ip(request))
            return redirect("meetings:request_received")
        if form.is_valid():
            pending = _pending(request)
            if pending and pending.payload == typed_fields(request.POST):
                return redirect("meetings:request_verify")  # sent twice: the code is on its way already
            if settings.PHONE_VERIFICATION:
                try:
                    verification = meeting_request_code_send(
                        arguments=form.service_arguments(),
                        typed=typed_fields(request.POST),
                        client_address=client_ip(request),
                    )
                except MeetingError as error:
                    form.add_error(None, str(error))
                except VerificationError as error:
                    form.add_error("phone", str(error))
                else:
                    request.session[PENDING_KEY] = str(verification.key)
                    return redirect("meetings:request_verify")
            else:
                try:
                    submission = meeting_request_submit(**form.service_arguments(), language=request.LANGUAGE_CODE)
                except MeetingError as error:
                    form.add_error(None, str(error))
                else:
                    _remember(request, submission)
                    return redirect("meetings:request_done", reference=submission.request.reference)
    elif (pending := _pending(request)) is not None:
        # Back from the code page (or a reload): everything typed is still there.
        form = PublicRequestForm(typed_as_post(pending.payload), bookable_days=days)
    else:
        form = PublicRequestForm(bookable_days=days, initial=_initial_day(request, days))
    return _form_page(request, form, days)


def _form_page(request, form, days):
    return render(
        request,
        "meetings/request_form.html",
        {
            "form": form,
            # The fixed fields of an empty form are the same for everyone:
            # kept, under a digest of the lists they offer (scheduling/fragments.py).
            "fields_key": None if form.is_bound else digest(_neighborhood_rows(), Category.choices),
            # The days offered, with their free slots, and the one ticked from the home page.
            "days_key": None if form.is_bound else _days_digest(form),
            "retention_years": settings.MEETING_RETENTION_YEARS,
            "has_days": bool(days),
            "answer_days": settings.MEETING_ANSWER_DAYS,
            "phone_verification": settings.PHONE_VERIFICATION,
        },
    )


def _days_digest(form) -> str:
    """What the preferred days' fragment of an empty form shows."""
    field = form.fields["preferred_days"]
    return digest(field.choices, form.initial.get("preferred_days", ()), form.full_days_offered)


def _pending(request, *, done_too: bool = False):
    return pending_verification(request, session_key=PENDING_KEY, purpose=Purpose.MEETING_REQUEST, done_too=done_too)


@private_page
@status_limit
@require_http_methods(["GET", "HEAD", "POST"])
def request_verify(request):
    """The code sent to the citizen's phone: typed here, the request is
    made; until then nothing is saved as a request and nothing is held."""
    verification = _pending(request, done_too=True)
    if verification is None:
        return redirect("meetings:request")
    if verification.result:  # a second tap on "verify": the request is made, its done page again
        return redirect("meetings:request_done", reference=verification.result)
    error = ""
    if request.method == "POST":
        verified, error = verification_code_posted(request, verification)
        if verified:
            return _submit_verified(request, verified)
        if not error:  # a new code was sent
            return redirect("meetings:request_verify")
    return verification_code_page(
        request,
        verification,
        error,
        verify_url=reverse("meetings:request_verify"),
        note=_(
            "Your request is not sent yet: it is sent, and gets its reference number, once the code is right. "
            "Nothing you typed is lost."
        ),
        button=_("Verify and send my request"),
        back_url=reverse("meetings:request"),
        back_label=_("Wrong number? Go back to the form and correct it"),
    )


def _submit_verified(request, verification):
    """The form again, as typed, checked again (a day may have filled
    meanwhile), then the one request."""
    days = bookable_meeting_days()
    form = PublicRequestForm(typed_as_post(verification.payload), bookable_days=days)
    if not form.is_valid():
        return _form_page(request, form, days)
    try:
        # The citizen's messages go out in the language of the page they used.
        submission = meeting_request_submit(
            **form.service_arguments(), verification=verification, language=request.LANGUAGE_CODE
        )
    except MeetingError as error:
        form.add_error(None, str(error))
        return _form_page(request, form, days)
    _remember(request, submission)
    return redirect("meetings:request_done", reference=submission.request.reference)


@private_page
@require_http_methods(["GET", "HEAD"])
def request_done(request, reference):
    entry = _submitted(request).get(reference)
    if entry is None:
        raise Http404("not submitted from this browser")
    token = entry.get("token")
    link = request.build_absolute_uri(reverse("meetings:status", args=[token])) if token else ""
    return render(request, "meetings/request_done.html", {"reference": reference, "status_link": link})


@private_page
@require_http_methods(["GET", "HEAD"])
def request_received(request):
    """Where a submission caught by the honeypot lands: the done page as a
    robot would expect it, with no reference and no link."""
    return render(request, "meetings/request_done.html", {"reference": "", "status_link": ""})


# --- The status page ---------------------------------------------------------------


def _other_days(meeting_request: MeetingRequest, appointment):
    """The bookable days a citizen may ask for instead: every open day but
    the one they are booked on, their own other preferred days first (in
    their order, each marked), then the rest by date. Leaving the preferred
    days out offered only far dates while the citizen's second choice still
    had every slot free."""
    ranks = dict(PreferredDay.objects.filter(request=meeting_request).values_list("meeting_day__original_date", "rank"))
    booked_on = appointment.slot.meeting_day.original_date if appointment and appointment.slot_id else None
    days = [day for day in bookable_meeting_days() if day.original_date != booked_on]
    for day in days:
        day.preferred_rank = ranks.get(day.original_date)
    return sorted(days, key=lambda day: (day.preferred_rank is None, day.preferred_rank or 0, day.start))


def _open_offer(meeting_request: MeetingRequest) -> WaitlistEntry | None:
    return (
        meeting_request.waitlist_entries.filter(
            status=WaitlistEntry.Status.OFFERED, offer_expires_at__gt=timezone.now()
        )
        .select_related("offered_slot", "meeting_day")
        .first()
    )


#: Where each status stands on the citizen's five-step way.
STAGE_OF = {
    S.SUBMITTED: 0,
    S.UNDER_REVIEW: 1,
    S.WAITLISTED: 1,
    S.SCHEDULED: 2,
    S.SUBSTITUTED: 2,
    S.ANSWERED: 2,
    S.DECLINED: 2,
    S.HELD: 3,
    S.NO_SHOW: 3,
}
EVENT_LABELS = {
    "link_renewed": gettext_lazy("A new private link was issued (my requests)"),
    "submitted": gettext_lazy("Request received"),
    "review_asked": gettext_lazy("Under review with the department in charge"),
    "booked": gettext_lazy("Meeting with the mayor booked"),
    "booked_other_day": gettext_lazy("Meeting with the mayor booked"),
    "substituted": gettext_lazy("Meeting arranged with another official"),
    "answered": gettext_lazy("Answered in writing"),
    "declined": gettext_lazy("The meeting could not be accepted"),
    "closed": gettext_lazy("Closed"),
    "cancelled_by_citizen": gettext_lazy("You cancelled the request"),
    "asked_other_day": gettext_lazy("You asked for another day"),
    "meeting_day_cancelled": gettext_lazy("The meeting day was cancelled; your request is back under review"),
    "meeting_day_moved": gettext_lazy("The meeting day was moved"),
    "released": gettext_lazy("Your booking was released; your request is back under review"),
    "extended": gettext_lazy("The answer period was extended"),
    "waitlist_offered": gettext_lazy("A freed slot was offered to you"),
}


def _decision_label(meeting_request: MeetingRequest, appointment) -> str:
    status = meeting_request.status
    if status in FIRST_ANSWERS:
        return str(S(status).label)
    if meeting_request.decline_reason:
        return str(S.DECLINED.label)
    if meeting_request.written_answer:
        return str(S.ANSWERED.label)
    if appointment:
        return str((S.SUBSTITUTED if appointment.is_substitution else S.SCHEDULED).label)
    return _("Meeting booked or answered")


def _stages(meeting_request: MeetingRequest, appointment, history) -> list[dict]:
    """The citizen's way as steps — submitted, under review, the decision,
    held, closed — each done, current or still to come."""
    status = meeting_request.status
    first_at = {}
    for event in history:
        first_at.setdefault(event.to_status, event.at)
    written = meeting_request.decline_reason or meeting_request.written_answer
    if status == S.CANCELLED or (status == S.CLOSED and S.CANCELLED in first_at):
        steps = [
            (str(S.SUBMITTED.label), meeting_request.submitted_at),
            (str(S.CANCELLED.label), first_at.get(S.CANCELLED)),
            (str(S.CLOSED.label), first_at.get(S.CLOSED)),
        ]
        current = 1 if status == S.CANCELLED else 2
    else:
        review_at = first_at.get(S.UNDER_REVIEW) or first_at.get(S.WAITLISTED)
        decided_at = next(
            (first_at[s] for s in (S.SCHEDULED, S.SUBSTITUTED, S.ANSWERED, S.DECLINED) if s in first_at), None
        )
        steps = [
            (str(S.SUBMITTED.label), meeting_request.submitted_at),
            (str(S.WAITLISTED.label if status == S.WAITLISTED else S.UNDER_REVIEW.label), review_at),
            (_decision_label(meeting_request, appointment), decided_at),
        ]
        if not written:
            held = S.NO_SHOW if status == S.NO_SHOW or meeting_request.outcome == "no_show" else S.HELD
            steps.append((str(held.label), first_at.get(held)))
        steps.append((str(S.CLOSED.label), first_at.get(S.CLOSED)))
        current = len(steps) - 1 if status == S.CLOSED else STAGE_OF.get(status, 0)
        if written and current > 2:
            current = 2
    return [
        {
            "label": label,
            "when": when(at) if at else "",
            "state": "done" if index < current else "current" if index == current else "todo",
        }
        for index, (label, at) in enumerate(steps)
    ]


def _timeline(history) -> list[dict]:
    items = []
    for event in history:
        label = EVENT_LABELS.get(event.action)
        if label is None:
            label = S(event.to_status).label if event.to_status in S.values else event.action
        # A booking's note is its moment in Korean: written again in the page's language.
        moment = read_korean_datetime(event.note)
        note = local_when(moment) if moment else event.note
        items.append({"label": str(label), "when": when(event.at), "at": event.at, "note": note})
    return items


def _render_status(request, token: str, meeting_request: MeetingRequest, *, move_form=None):
    appointment = meeting_request.active_appointment
    history = list(meeting_request.history.filter(public=True).order_by("at", "pk"))
    can_change = meeting_request.status in OPEN_STATUSES
    if move_form is None and can_change:
        move_form = OtherDayForm(days=_other_days(meeting_request, appointment))
    preferences = [
        {
            "day": p.meeting_day,
            "when": when(p.meeting_day.start),
            "original_when": local_date(p.meeting_day.original_date),
        }
        for p in meeting_request.preferences.select_related("meeting_day")
    ]
    waiting = [
        when(entry.meeting_day.start)
        for entry in meeting_request.waitlist_entries.filter(status=WaitlistEntry.Status.WAITING).select_related(
            "meeting_day"
        )
    ]
    offer = _open_offer(meeting_request)
    answered = meeting_request.first_answered_at is not None
    due = meeting_request.extended_due_at or meeting_request.answer_due_at
    # A preferred day before the answer deadline puzzles a citizen ("will
    # you answer after my day?"): the page says what happens to it.
    before_due = (
        [
            local_date(p["day"].start)
            for p in preferences
            if not p["day"].is_cancelled and timezone.now() < p["day"].start < due
        ]
        if can_change and not answered and appointment is None
        else []
    )
    context = {
        "token": token,
        "meeting_request": meeting_request,
        "status_label": S(meeting_request.status).label,
        "appointment": appointment,
        "appointment_when": when(appointment.start) if appointment else "",
        "appointment_end": f"{timezone.localtime(appointment.end):%H:%M}" if appointment else "",
        "stages": _stages(meeting_request, appointment, history),
        "timeline": _timeline(history),
        "submitted_when": when(meeting_request.submitted_at),
        "due_when": when(meeting_request.answer_due_at) if not answered else "",
        "extended_when": when(meeting_request.extended_due_at)
        if meeting_request.extended_due_at and not answered
        else "",
        "preferences": preferences,
        "preferred_before_due": before_due,
        "waiting": waiting,
        "offer": offer,
        "offer_when": when(offer.offered_slot.start) if offer else "",
        "offer_deadline": when(offer.offer_expires_at) if offer else "",
        "needs": meeting_request.accessibility_needs(),
        "remedies": decline_remedies() if meeting_request.decline_reason else [],
        "can_change": can_change,
        "move_form": move_form if can_change else None,
        "notice_hours": settings.MEETING_CHANGE_NOTICE_HOURS,
    }
    return render(request, "meetings/status.html", context)


@private_page
@status_limit
@require_http_methods(["GET", "HEAD"])
def status(request, token):
    return _render_status(request, token, _request_or_404(token))


@private_page
@status_limit
@require_http_methods(["GET", "HEAD", "POST"])
def status_cancel(request, token):
    """Cancel: a confirmation page (GET), then the cancel itself (POST)."""
    meeting_request = _request_or_404(token)
    if meeting_request.status not in OPEN_STATUSES:
        messages.error(request, _("This request can no longer be cancelled."))
        return redirect("meetings:status", token=token)
    if request.method == "POST":
        try:
            booking.citizen_cancel(request=meeting_request)
        except MeetingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your request is cancelled. We have sent you a text message."))
        return redirect("meetings:status", token=token)
    appointment = meeting_request.active_appointment
    return render(
        request,
        "meetings/status_cancel.html",
        {
            "token": token,
            "meeting_request": meeting_request,
            "appointment": appointment,
            "appointment_when": when(appointment.start) if appointment else "",
        },
    )


@private_page
@status_limit
@require_POST
def status_move(request, token):
    """Ask for another meeting day (the secretariat books it)."""
    meeting_request = _request_or_404(token)
    if meeting_request.status not in OPEN_STATUSES:
        messages.error(request, _("This request can no longer be moved."))
        return redirect("meetings:status", token=token)
    form = OtherDayForm(request.POST, days=_other_days(meeting_request, meeting_request.active_appointment))
    if form.is_valid():
        try:
            booking.citizen_ask_other_day(request=meeting_request, meeting_day=form.cleaned_data["meeting_day"])
        except MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("We have your request for %(day)s. We will confirm the new time by text message.")
                % {"day": when(form.cleaned_data["meeting_day"].start)},
            )
            return redirect("meetings:status", token=token)
    meeting_request.refresh_from_db()
    return _render_status(request, token, meeting_request, move_form=form)


@private_page
@status_limit
@require_POST
def status_accept_offer(request, token):
    """Take the freed slot offered from the waiting list."""
    meeting_request = _request_or_404(token)
    offer = _open_offer(meeting_request)
    if offer is None or request.POST.get("offer") != str(offer.pk):
        messages.error(request, _("This offer has expired."))
        return redirect("meetings:status", token=token)
    try:
        appointment = booking.waitlist_accept(entry=offer)
    except MeetingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your meeting is booked for %(when)s.") % {"when": when(appointment.start)})
    return redirect("meetings:status", token=token)


def _calendar_identity(meeting_request: MeetingRequest) -> tuple[str, int, dt.datetime]:
    """UID, SEQUENCE and last change of the citizen's meeting in their
    calendar. A rebooking makes a new appointment row, but for the citizen it
    is the same meeting moved: the UID stays that of the request's first
    appointment, and the SEQUENCE (the sum of the rows' sequences plus one
    per rebooking) rises with every move, rebooking or change."""
    rows = list(meeting_request.appointments.order_by("created_at", "pk").values_list("uid", "sequence", "updated_at"))
    sequence = sum(row[1] for row in rows) + len(rows) - 1
    return str(rows[0][0]), sequence, max(row[2] for row in rows)


def _appointment_event(meeting_request: MeetingRequest, appointment) -> IcalEvent:
    official = appointment.official
    who = f"{official.title} {official.name}"
    lines = [
        _("Reference number: %(reference)s") % {"reference": meeting_request.reference},
        _("Subject: %(subject)s") % {"subject": meeting_request.subject},
        _("With: %(who)s") % {"who": who},
    ]
    if appointment.is_substitution and meeting_request.substitution_reason:
        lines.append(_("Why not the mayor: %(reason)s") % {"reason": meeting_request.substitution_reason})
    lines.append(
        _("To cancel or move the meeting, use your private link or call %(phone)s.") % {"phone": settings.CITY_PHONE}
    )
    uid, sequence, changed = _calendar_identity(meeting_request)
    return IcalEvent(
        uid=uid,
        start=appointment.start,
        end=appointment.end,
        summary=_("%(city)s TongTong Day meeting with %(who)s") % {"city": settings.CITY_NAME, "who": who},
        sequence=sequence,
        location=appointment.location,
        description="\n".join(lines),
        status=CONFIRMED,
        last_modified=changed,
    )


@private_page
@status_limit
@require_http_methods(["GET", "HEAD"])
def appointment_ics(request, token):
    """The citizen's appointment as an .ics file, for their calendar app:
    one VEVENT, with an ETag and Last-Modified (a matching conditional GET
    gets a 304 without rendering it)."""
    meeting_request = _request_or_404(token)
    appointment = meeting_request.active_appointment
    if appointment is None:
        raise Http404("no appointment")
    event = _appointment_event(meeting_request, appointment)
    feed = Feed(
        _("TongTong Day %(reference)s") % {"reference": meeting_request.reference},
        [event],
        last_modified=event.last_modified,
    )
    return calendar_response(
        request, feed, filename=f"tongtong-{meeting_request.reference}.ics", disposition="attachment"
    )


# --- The satisfaction question ----------------------------------------------------------------


def _feedback_request_or_404(token: str) -> MeetingRequest:
    meeting_request = request_for_feedback(token)
    if meeting_request is None:
        raise Http404("no such feedback link")
    return meeting_request


@private_page
@status_limit
@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request, token):
    meeting_request = _feedback_request_or_404(token)
    if meeting_request.satisfaction_score is not None:
        return redirect("meetings:feedback_done", token=token)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_submit(
                request=meeting_request, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
            )
        except MeetingError as error:
            form.add_error(None, str(error))
        else:
            return redirect("meetings:feedback_done", token=token)
    return render(request, "meetings/feedback.html", {"form": form, "meeting_request": meeting_request, "token": token})


@private_page
@status_limit
@require_http_methods(["GET", "HEAD"])
def feedback_done(request, token):
    meeting_request = _feedback_request_or_404(token)
    return render(request, "meetings/feedback_done.html", {"meeting_request": meeting_request})
