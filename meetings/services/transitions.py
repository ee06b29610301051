"""A request's moves along ``meetings.rules.TRANSITIONS``, each recorded in
its history, and the release of a booking the city can no longer keep.

The base the other services build on: it imports none of them (the
notifications aside), so the series, the requests and the booking can all
use it without importing each other back (docs/meetings.md).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.errors import IllegalTransition
from meetings.models import Appointment, MeetingRequest, RequestEvent
from meetings.rules import FIRST_ANSWERS, TRANSITIONS
from meetings.selectors import MEETING_DAYS
from meetings.services.notifications import notify
from scheduling.versions import changed

S = MeetingRequest.Status


def lock(request: MeetingRequest) -> MeetingRequest:
    """``request`` read again and locked until the transaction ends."""
    return MeetingRequest.objects.select_for_update().get(pk=request.pk)


def record(request: MeetingRequest, action: str, *, actor=None, from_status="", note="", public=True) -> RequestEvent:
    """One line of the request's history: who did what, from which status to its current one."""
    return RequestEvent.objects.create(
        request=request,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_status=from_status,
        to_status=request.status,
        note=note,
        public=public,
    )


def transition(request: MeetingRequest, to: str, *, actor=None, action: str = "", note: str = "", public=True):
    """Move ``request`` to ``to`` if the table allows it, and record it."""
    if to not in TRANSITIONS[request.status]:
        raise IllegalTransition(
            _("A request that is “%(from)s” cannot become “%(to)s”.")
            % {"from": S(request.status).label, "to": S(to).label}
        )
    previous = request.status
    request.status = to
    now = timezone.now()
    if to in FIRST_ANSWERS and request.first_answered_at is None:
        request.first_answered_at = now
    if to == S.CLOSED:
        request.closed_at = now
    request.save()
    record(request, action or to, actor=actor, from_status=previous, note=note, public=public)
    return request


def appointment_cancel(appointment: Appointment) -> None:
    """Cancel ``appointment`` (a new version for the feeds) and remove its
    calendar event. The request's status is the caller's to move."""
    appointment.status = Appointment.Status.CANCELLED
    appointment.sequence += 1
    appointment.save(update_fields=["status", "sequence", "updated_at"])
    if appointment.event_id:
        event = appointment.event
        appointment.event = None
        appointment.save(update_fields=["event"])
        event.delete()
    changed(MEETING_DAYS)  # the slot is free again on the pages


def appointment_release(*, appointment: Appointment, actor=None, reason: str = "", kind: str = "") -> None:
    """Cancel an appointment the city can no longer keep (its meeting day was
    cancelled): the request goes back to review, never lost, and the citizen
    is told and may choose another day."""
    request = lock(appointment.request)
    appointment_cancel(appointment)
    transition(request, S.UNDER_REVIEW, actor=actor, action=kind or "released", note=reason)
    notify(request, kind or "meeting_day_cancelled", reason=reason)
