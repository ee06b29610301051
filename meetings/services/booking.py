"""Booking, substitution, answers and outcomes: every state change of a
meeting request after it was submitted. Each records who, when, from, to."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from schedule.models import Event

from meetings.errors import IllegalTransition, MeetingError, SlotTakenError
from meetings.models import (
    Appointment,
    MeetingDay,
    MeetingRequest,
    PreferredDay,
    ReviewRequest,
    Slot,
    WaitlistEntry,
)
from meetings.rules import BOOKED_STATUSES, TRANSITIONS, WAITLIST_IN_LINE
from meetings.selectors import MEETING_DAYS
from meetings.services.feedback import feedback_url
from meetings.services.notifications import format_when, notify
from meetings.services.requests import bookable_error
from meetings.services.series import meeting_days_saved
from meetings.services.transitions import appointment_cancel, lock, record, transition
from scheduling.calendars import first_busy
from scheduling.dates import korean_date
from scheduling.models import Official
from scheduling.organisation import Role, substitution_candidates
from scheduling.versions import changed

S = MeetingRequest.Status
SUBSTITUTE_MEETING_MINUTES = 30


def _locked_for_booking(request: MeetingRequest) -> MeetingRequest:
    """Lock ``request`` for a booking or a substitution, refusing it if the
    request was booked since the caller read it. Two staff members who
    confirm the same request at once both read it unbooked; the second to get
    the lock must be told, not silently move the first one's booking (moving
    a booking the caller knew of stays allowed)."""
    seen = request.status
    request = lock(request)
    if seen not in BOOKED_STATUSES and request.status in BOOKED_STATUSES:
        raise MeetingError(_("Someone else has just booked this request. Reload the page to see the booking."))
    return request


def review_cleared_q(prefix: str = "") -> Q:
    """The review gate, as a query on the request at ``prefix`` (e.g.
    "request" from a waiting-list entry). Seed 000: a request to meet the
    mayor goes to the owning department's head for a review opinion first;
    booking with the mayor or a substitute needs that opinion, or the
    secretariat's override with a written reason (``review.review_override``).
    A request booked once (and now moved) was cleared then."""
    ref = f"{prefix}__" if prefix else ""
    pk = OuterRef(prefix or "pk")
    return (
        ~Q(**{f"{ref}review_override_reason": ""})
        | Exists(ReviewRequest.objects.filter(request=pk, answered_at__isnull=False))
        | Exists(Appointment.objects.filter(request=pk))
    )


def review_gate_error(request: MeetingRequest) -> str | None:
    """Why ``request`` may not be booked yet (``review_cleared_q``), or None."""
    if MeetingRequest.objects.filter(review_cleared_q(), pk=request.pk).exists():
        return None
    if request.reviews.exists():
        return _(
            "The department head's review opinion has not come yet. Wait for it, or book without it "
            "by giving the reason (“book without the review”)."
        )
    return _(
        "Ask the owning department head for a review opinion first, or book without it by giving the reason "
        "(“book without the review”)."
    )


def _check_review_gate(request: MeetingRequest) -> None:
    error = review_gate_error(request)
    if error:
        raise MeetingError(error)


def _calendar_event(official: Official, request: MeetingRequest, start, end, location, actor) -> Event:
    return Event.objects.create(
        calendar=official.calendar,
        title=_("Citizen meeting %(reference)s") % {"reference": request.reference},
        description=request.subject,
        start=start,
        end=end,
        creator=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _create_appointment(**fields) -> Appointment:
    """Insert an appointment; the partial unique indexes turn a lost race
    into ``SlotTakenError`` instead of a second booking."""
    try:
        with transaction.atomic():
            return Appointment.objects.create(**fields)
    except IntegrityError as error:
        raise SlotTakenError() from error


@transaction.atomic
def slot_book(*, request: MeetingRequest, slot: Slot, actor=None) -> Appointment:
    """Book ``request`` with the series' official (the mayor) in ``slot``.

    The slot and the request are locked; the database's partial unique
    indexes refuse a second active booking of the slot whatever the race.
    A request that was booked elsewhere moves to the new slot, unless it was
    booked after the caller read it (two staff confirming at once).
    """
    # Lock in the order the meeting-day services use (day, then requests),
    # so that booking into a day while the secretariat cancels it cannot
    # deadlock: the day, then the slot, then the request.
    MeetingDay.objects.select_for_update().filter(slots=slot).first()
    slot = (
        Slot.objects.select_for_update(of=("self",))
        .select_related("meeting_day__series__official__calendar")
        .get(pk=slot.pk)
    )
    request = _locked_for_booking(request)
    day = slot.meeting_day
    if day.status == MeetingDay.Status.CANCELLED:
        raise MeetingError(_("This meeting day is cancelled."))
    if slot.start <= timezone.now():
        raise MeetingError(_("This slot is in the past."))
    if slot.appointments.filter(status=Appointment.Status.ACTIVE).exists():
        raise SlotTakenError()
    if S.SCHEDULED not in TRANSITIONS[request.status]:
        raise IllegalTransition(_("This request can no longer be booked."))
    _check_review_gate(request)
    previous = request.active_appointment
    if previous:
        appointment_cancel(previous)
    official = day.series.official
    appointment = _create_appointment(
        request=request,
        official=official,
        slot=slot,
        start=slot.start,
        end=slot.end,
        location=day.series.location,
        booked_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    appointment.event = _calendar_event(official, request, slot.start, slot.end, day.series.location, actor)
    appointment.save(update_fields=["event"])
    changed(MEETING_DAYS)  # one slot fewer on the pages
    request.substitution_reason = ""
    transition(request, S.SCHEDULED, actor=actor, action="booked", note=format_when(slot.start))
    _leave_waitlists(request)
    notify(request, "scheduled")
    if previous and previous.slot_id:
        waitlist_offer_next(slot=previous.slot)
    return appointment


def official_is_free(official: Official, start: dt.datetime, end: dt.datetime) -> bool:
    """No appointment and no calendar occurrence of ``official`` overlaps."""
    if Appointment.objects.filter(
        official=official, status=Appointment.Status.ACTIVE, start__lt=end, end__gt=start
    ).exists():
        return False
    return first_busy(official.calendar, start, end) is None


@dataclass(frozen=True)
class Proposal:
    """One official the secretariat may book instead of a TongTong Day slot,
    why (``scheduling.organisation``'s rule), and their next free times."""

    official: Official
    role: str
    reason: str
    times: list[dt.datetime]


def substitute_proposals(
    request: MeetingRequest, *, limit: int = 4, now: dt.datetime | None = None
) -> tuple[list[Proposal], list[str]]:
    """The officials of the substitution rule for the request's category, in
    its order (the mayor on another day, the deputy mayor over the topic,
    the other deputies, the bureau's director), each with their next free
    times: the request's preferred days first, then working days at 10:00,
    14:00 and 16:00 over the next three weeks, each free in the official's
    calendar. Also the problems of the category's path (shown on the page,
    so a missing director is explained, not silently left out)."""
    from scheduling.workdays import working_calendar

    now = now or timezone.now()
    preferred = [
        p.meeting_day.start for p in request.preferences.select_related("meeting_day") if p.meeting_day.start > now
    ]
    today = timezone.localtime(now).date()
    calendar = working_calendar(today, today + dt.timedelta(days=28))
    other_days = [
        timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
        for day in calendar.working_days(today + dt.timedelta(days=1), today + dt.timedelta(days=21))
        for hour in (10, 14, 16)
    ]
    meeting_day_starts = set(MeetingDay.objects.filter(start__gte=now).values_list("start", flat=True))
    candidates, problems = substitution_candidates(request.category)
    proposals = []
    length = dt.timedelta(minutes=SUBSTITUTE_MEETING_MINUTES)
    for candidate in candidates:
        official = candidate.official
        if candidate.role == Role.MAYOR:
            # The mayor's TongTong Day slots are booked as slots; here only other days.
            times = [t for t in other_days if t not in meeting_day_starts]
        else:
            times = preferred + other_days
        free = (t for t in sorted(set(times)) if t > now and official_is_free(official, t, t + length))
        proposals.append(Proposal(official, candidate.role, candidate.reason, list(itertools.islice(free, limit))))
    return proposals, problems


@transaction.atomic
def request_substitute(
    *, request: MeetingRequest, official: Official, start: dt.datetime, reason: str, location: str = "", actor=None
) -> Appointment:
    """Hand the meeting to ``official`` (a deputy mayor, a director or a
    department head) at ``start``; the citizen is told who will meet them and
    why. The mayor at a time outside TongTong Day (the rule's first
    proposal) is a meeting with the mayor on another day, not a substitution:
    the request is scheduled and no reason is needed."""
    request = _locked_for_booking(request)
    official = (
        Official.objects.select_for_update(of=("self",))
        .select_related("calendar", "department", "bureau")
        .get(pk=official.pk)
    )
    with_mayor = official.rank == Official.Rank.MAYOR
    reason = (reason or "").strip()
    if not reason and not with_mayor:
        raise MeetingError(_("Give the reason for the substitution; the citizen will see it."))
    if not official.is_active:
        raise MeetingError(_("This official is not active."))
    if start <= timezone.now():
        raise MeetingError(_("Choose a time in the future."))
    to = S.SCHEDULED if with_mayor else S.SUBSTITUTED
    if to not in TRANSITIONS[request.status]:
        raise IllegalTransition(_("This request can no longer be substituted."))
    _check_review_gate(request)
    end = start + dt.timedelta(minutes=SUBSTITUTE_MEETING_MINUTES)
    previous = request.active_appointment
    if previous:
        appointment_cancel(previous)
    if not official_is_free(official, start, end):
        raise SlotTakenError(_("%(official)s is busy at that time. Choose another time.") % {"official": official})
    # By default their office: the department or bureau they head, else their title.
    unit = official.department or official.bureau
    location = location or (unit.name if unit else official.title)
    appointment = _create_appointment(
        request=request,
        official=official,
        start=start,
        end=end,
        location=location,
        is_substitution=not with_mayor,
        booked_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    appointment.event = _calendar_event(official, request, start, end, location, actor)
    appointment.save(update_fields=["event"])
    changed(MEETING_DAYS)  # one slot fewer on the pages
    if with_mayor:
        request.substitution_reason = ""
        transition(request, S.SCHEDULED, actor=actor, action="booked_other_day", note=format_when(start))
        notify(request, "scheduled")
    else:
        request.substitution_reason = reason
        transition(request, S.SUBSTITUTED, actor=actor, action="substituted", note=f"{official}: {reason}")
        notify(request, "substituted", reason=reason)
    if previous and previous.slot_id:
        waitlist_offer_next(slot=previous.slot)
    return appointment


@transaction.atomic
def request_answer_in_writing(*, request: MeetingRequest, answer: str, actor=None) -> MeetingRequest:
    request = lock(request)
    answer = (answer or "").strip()
    if not answer:
        raise MeetingError(_("Write the answer the citizen will read."))
    _release_if_booked(request)
    request.written_answer = answer
    transition(request, S.ANSWERED, actor=actor, action="answered")
    notify(request, "answered")
    return request


@transaction.atomic
def request_decline(*, request: MeetingRequest, reason: str, actor=None) -> MeetingRequest:
    request = lock(request)
    reason = (reason or "").strip()
    if not reason:
        raise MeetingError(_("Give the reason for declining; the citizen will see it."))
    _release_if_booked(request)
    request.decline_reason = reason
    transition(request, S.DECLINED, actor=actor, action="declined", note=reason)
    # A refusal states its remedy (민원처리법 제27조): one sentence by SMS,
    # the full list by e-mail and on the status page.
    notify(request, "declined", reason=reason)
    return request


def _leave_waitlists(request: MeetingRequest) -> None:
    """``request`` is booked or cancelled: it leaves every waiting list it is in."""
    WaitlistEntry.objects.filter(request=request, status__in=WAITLIST_IN_LINE).update(
        status=WaitlistEntry.Status.WITHDRAWN
    )


def _release_if_booked(request: MeetingRequest) -> None:
    appointment = request.active_appointment
    if appointment:
        appointment_cancel(appointment)
        if appointment.slot_id:
            waitlist_offer_next(slot=appointment.slot)


@transaction.atomic
def outcome_record(*, request: MeetingRequest, outcome: str, notes: str = "", actor=None) -> MeetingRequest:
    """After the meeting: held, no-show, or held with follow-up needed.
    A held meeting sends the citizen the one-minute satisfaction question."""
    request = lock(request)
    if outcome not in MeetingRequest.Outcome.values:
        raise MeetingError(_("Choose an outcome."))
    appointment = request.active_appointment
    if appointment is None:
        raise MeetingError(_("This request has no meeting to record."))
    if appointment.start > timezone.now():
        raise MeetingError(_("The meeting has not taken place yet."))
    request.outcome = outcome
    request.outcome_notes = (notes or "").strip()
    to = S.NO_SHOW if outcome == MeetingRequest.Outcome.NO_SHOW else S.HELD
    transition(request, to, actor=actor, action="outcome", note=request.outcome_notes, public=False)
    if to == S.HELD:
        notify(request, "satisfaction", link=feedback_url(request), dedupe=f"satisfaction-{request.pk}")
    return request


@transaction.atomic
def request_close(*, request: MeetingRequest, actor=None, note: str = "") -> MeetingRequest:
    request = lock(request)
    return transition(request, S.CLOSED, actor=actor, action="closed", note=note)


def _check_notice(request: MeetingRequest) -> None:
    appointment = request.active_appointment
    hours = settings.MEETING_CHANGE_NOTICE_HOURS
    if appointment and appointment.start - timezone.now() < dt.timedelta(hours=hours):
        raise MeetingError(
            _(
                "Your meeting is less than %(hours)s hours away, so it can no longer be changed here. "
                "Please call %(phone)s."
            )
            % {"hours": hours, "phone": settings.CITY_PHONE}
        )


@transaction.atomic
def citizen_cancel(*, request: MeetingRequest) -> MeetingRequest:
    """The citizen cancels their own request from the status page."""
    request = lock(request)
    if S.CANCELLED not in TRANSITIONS[request.status]:
        raise IllegalTransition(_("This request can no longer be cancelled."))
    _check_notice(request)
    _release_if_booked(request)
    _leave_waitlists(request)
    transition(request, S.CANCELLED, action="cancelled_by_citizen")
    notify(request, "cancelled")
    return request


@transaction.atomic
def citizen_ask_other_day(*, request: MeetingRequest, meeting_day: MeetingDay) -> MeetingRequest:
    """The citizen asks for another meeting day. A booking they had is
    released; the secretariat books the new day."""
    request = lock(request)
    if S.UNDER_REVIEW not in TRANSITIONS[request.status] and request.status != S.UNDER_REVIEW:
        raise IllegalTransition(_("This request can no longer be moved."))
    _check_notice(request)
    error = bookable_error(meeting_day)
    if error:
        raise MeetingError(error)
    _release_if_booked(request)
    [meeting_day] = meeting_days_saved([meeting_day])  # shown from the rule, saved once chosen
    # The day asked for becomes the first choice, the others keep their
    # order behind it: the secretariat books the first choice it can. (It
    # may be one of the citizen's earlier choices, now put first.)
    others = list(
        request.preferences.exclude(meeting_day=meeting_day).order_by("rank").values_list("meeting_day", flat=True)
    )
    request.preferences.all().delete()
    PreferredDay.objects.bulk_create(
        PreferredDay(request=request, meeting_day_id=day_id, rank=rank)
        for rank, day_id in enumerate([meeting_day.pk, *others], start=1)
    )
    note = korean_date(timezone.localtime(meeting_day.start).date())
    if request.status == S.UNDER_REVIEW:
        record(request, "asked_other_day", from_status=request.status, note=note)
    else:
        transition(request, S.UNDER_REVIEW, action="asked_other_day", note=note)
    notify(request, "moved_by_citizen")
    return request


@transaction.atomic
def due_date_extend(*, request: MeetingRequest, new_due: dt.datetime, reason: str, actor=None) -> MeetingRequest:
    """Extend the answer clock once, telling the citizen the reason and date."""
    request = lock(request)
    reason = (reason or "").strip()
    if request.extended_due_at:
        raise MeetingError(_("The answer period can be extended only once."))
    if request.first_answered_at:
        raise MeetingError(_("This request has already been answered."))
    if not reason:
        raise MeetingError(_("Give the reason for the extension; the citizen will see it."))
    if new_due <= request.answer_due_at:
        raise MeetingError(_("The new date must be later than the current due date."))
    request.extended_due_at = new_due
    request.extension_reason = reason
    request.save(update_fields=["extended_due_at", "extension_reason"])
    record(request, "extended", actor=actor, from_status=request.status, note=reason)
    notify(request, "extended", reason=reason, when=new_due)
    return request


def waitlist_offer_next(*, slot: Slot) -> WaitlistEntry | None:
    """Offer a freed slot to the first request waiting for its day."""
    if slot.meeting_day.status == MeetingDay.Status.CANCELLED or slot.start <= timezone.now():
        return None
    if slot.appointments.filter(status=Appointment.Status.ACTIVE).exists():
        return None
    if WaitlistEntry.objects.filter(offered_slot=slot, status=WaitlistEntry.Status.OFFERED).exists():
        return None
    # Only to a request that may be booked (the review gate): a slot is not
    # offered to a citizen whose request the department head has not seen.
    entry = (
        WaitlistEntry.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(meeting_day=slot.meeting_day, status=WaitlistEntry.Status.WAITING)
        .filter(review_cleared_q("request"))
        .select_related("request")
        .first()
    )
    if entry is None:
        return None
    entry.status = WaitlistEntry.Status.OFFERED
    entry.offered_slot = slot
    entry.offer_expires_at = timezone.now() + dt.timedelta(hours=settings.MEETING_WAITLIST_OFFER_HOURS)
    entry.save()
    record(entry.request, "waitlist_offered", from_status=entry.request.status, note=format_when(slot.start))
    notify(
        entry.request,
        "waitlist_offer",
        when=slot.start,
        deadline=entry.offer_expires_at,
        dedupe=f"offer-{entry.pk}-{slot.pk}",
    )
    return entry


@transaction.atomic
def waitlist_accept(*, entry: WaitlistEntry) -> Appointment:
    """The citizen confirms the offered slot from their status page."""
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of an
    # outer join (offered_slot is nullable); the request and slot are locked
    # by slot_book.
    entry = (
        WaitlistEntry.objects.select_for_update(of=("self",)).select_related("request", "offered_slot").get(pk=entry.pk)
    )
    if entry.status != WaitlistEntry.Status.OFFERED or entry.offer_expires_at < timezone.now():
        raise MeetingError(_("This offer has expired."))
    appointment = slot_book(request=entry.request, slot=entry.offered_slot)
    entry.status = WaitlistEntry.Status.ACCEPTED
    entry.save(update_fields=["status"])
    return appointment


@transaction.atomic
def waitlist_expire_offers(*, now: dt.datetime | None = None) -> int:
    """Expired offers pass to the next in line (celery beat)."""
    now = now or timezone.now()
    expired = list(
        WaitlistEntry.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=WaitlistEntry.Status.OFFERED, offer_expires_at__lt=now)
        .select_related("offered_slot__meeting_day")
    )
    for entry in expired:
        entry.status = WaitlistEntry.Status.EXPIRED
        entry.save(update_fields=["status"])
        waitlist_offer_next(slot=entry.offered_slot)
    return len(expired)


def reminders_due(*, now: dt.datetime | None = None) -> int:
    """Queue tomorrow's reminders (celery beat, hourly): once per appointment
    version, so a moved appointment is reminded again and no other twice."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + dt.timedelta(days=1)
    count = 0
    appointments = Appointment.objects.filter(status=Appointment.Status.ACTIVE, start__date=tomorrow).select_related(
        "request", "official"
    )
    for appointment in appointments:
        with transaction.atomic():
            count += bool(
                notify(appointment.request, "reminder", dedupe=f"reminder-{appointment.pk}-{appointment.sequence}")
            )
    return count
