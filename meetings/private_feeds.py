"""Private feed sources of the meetings app (registered in ``ready``).

An official sees their own appointments with the citizen's name and
subject; the secretariat sees all; a department sees only its review
requests' due dates (no citizen name). The phone is never written.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import Appointment, ReviewRequest
from scheduling.feeds import register_feed_source
from scheduling.ical import CANCELLED, CONFIRMED, IcalEvent
from scheduling.models import CalendarFeedToken, Official, StaffProfile

#: How long a cancelled appointment stays in feeds as STATUS:CANCELLED.
CANCELLED_KEPT = dt.timedelta(days=30)


def _appointments():
    recent = timezone.now() - CANCELLED_KEPT
    return (
        Appointment.objects.filter(status=Appointment.Status.ACTIVE)
        | Appointment.objects.filter(status=Appointment.Status.CANCELLED, updated_at__gte=recent)
    ).select_related("request", "official")


def _appointment_event(appointment: Appointment) -> IcalEvent:
    request = appointment.request
    return IcalEvent(
        uid=f"appointment-{appointment.uid}@tongtong",
        start=appointment.start,
        end=appointment.end,
        summary=_("Meeting with %(name)s: %(subject)s") % {"name": request.name, "subject": request.subject},
        sequence=appointment.sequence,
        location=appointment.location,
        description=_("Request %(reference)s; with %(official)s")
        % {"reference": request.reference, "official": appointment.official.title},
        status=CANCELLED if appointment.status == Appointment.Status.CANCELLED else CONFIRMED,
        last_modified=appointment.updated_at,
    )


def official_source(user) -> list[IcalEvent]:
    official = Official.objects.filter(user=user).first()
    if official is None:
        return []
    return [_appointment_event(a) for a in _appointments().filter(official=official)]


def secretariat_source(user) -> list[IcalEvent]:
    return [_appointment_event(a) for a in _appointments()]


def department_source(user) -> list[IcalEvent]:
    profile = StaffProfile.objects.filter(user=user, department__isnull=False).first()
    if profile is None:
        return []
    tz = timezone.get_current_timezone()
    events = []
    for review in ReviewRequest.objects.filter(department=profile.department, due_on__isnull=False).select_related(
        "request"
    ):
        start = dt.datetime.combine(review.due_on, dt.time(9, 0), tzinfo=tz)
        events.append(
            IcalEvent(
                uid=f"review-due-{review.pk}@tongtong",
                start=start,
                end=start + dt.timedelta(minutes=30),
                summary=f"검토 요청 기한: {review.request.reference}",
                description=_("Answered") if review.answered_at else "",
                last_modified=review.answered_at or review.asked_at,
            )
        )
    return events


def register() -> None:
    register_feed_source(CalendarFeedToken.Kind.OFFICIAL, official_source)
    register_feed_source(CalendarFeedToken.Kind.SECRETARIAT, secretariat_source)
    register_feed_source(CalendarFeedToken.Kind.DEPARTMENT, department_source)
