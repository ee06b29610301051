"""Private feed sources of the meetings app (registered in ``ready``).

What a feed says about a citizen's meeting (docs/privacy.md, "Calendar
feeds"): an official sees their own appointments, the secretariat all of
them, each as "시민 면담 <reference>: <subject>" with who meets and where;
a department sees its review requests' due dates and the meetings it
attends — those of an official of the department (a director met the
citizen instead of the mayor) and those of a request the department was
asked to review — by reference number, who meets and where, without the
subject. The citizen's name, phone and e-mail are in no feed: a calendar
app copies its events to phones, laptops and cloud accounts the city does
not control; the name is shown only inside the staff app.

Every feed kind writes its own UIDs (``scheduling.feeds.view_uid``).
Cancelled meetings stay as STATUS:CANCELLED until
``FEED_CANCELLED_KEEP_DAYS`` after their date (``scheduling.feeds``).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import Appointment, ReviewRequest
from scheduling.feeds import cancelled_cutoff, register_feed_source, view_uid
from scheduling.ical import CANCELLED, CONFIRMED, IcalEvent
from scheduling.models import CalendarFeedToken, Department, Official, StaffProfile

Kind = CalendarFeedToken.Kind

#: What the events are written from (a feed may hold a thousand of them):
#: never the citizen's name, phone or e-mail.
_FIELDS = (
    "uid",
    "start",
    "end",
    "sequence",
    "location",
    "status",
    "updated_at",
    "request__reference",
    "request__subject",
    "official__title",
)


def _appointments():
    """Active appointments, and cancelled ones until the cut-off."""
    kept = Q(status=Appointment.Status.ACTIVE) | Q(status=Appointment.Status.CANCELLED, start__gte=cancelled_cutoff())
    return Appointment.objects.filter(kept).select_related("request", "official").only(*_FIELDS).order_by("start", "pk")


def _status(appointment: Appointment) -> str:
    return CANCELLED if appointment.status == Appointment.Status.CANCELLED else CONFIRMED


def _appointment_event(appointment: Appointment, view: str) -> IcalEvent:
    """A meeting as an official or the secretariat sees it: reference and
    subject, who meets and where."""
    request = appointment.request
    return IcalEvent(
        uid=view_uid("appointment", appointment.uid, view),
        start=appointment.start,
        end=appointment.end,
        summary=_("Citizen meeting %(reference)s: %(subject)s")
        % {"reference": request.reference, "subject": request.subject},
        sequence=appointment.sequence,
        location=appointment.location,
        description=_("Request %(reference)s; with %(official)s")
        % {"reference": request.reference, "official": appointment.official.title},
        status=_status(appointment),
        last_modified=appointment.updated_at,
    )


def _attended_event(appointment: Appointment) -> IcalEvent:
    """A meeting as a department sees it: no subject."""
    reference = appointment.request.reference
    return IcalEvent(
        uid=view_uid("appointment", appointment.uid, Kind.DEPARTMENT),
        start=appointment.start,
        end=appointment.end,
        summary=_("Citizen meeting %(reference)s") % {"reference": reference},
        sequence=appointment.sequence,
        location=appointment.location,
        description=_("Request %(reference)s; with %(official)s")
        % {"reference": reference, "official": appointment.official.title},
        status=_status(appointment),
        last_modified=appointment.updated_at,
    )


def official_source(user) -> list[IcalEvent]:
    official = Official.objects.filter(user=user).first()
    if official is None:
        return []
    return [_appointment_event(a, Kind.OFFICIAL) for a in _appointments().filter(official=official)]


def secretariat_source(user) -> list[IcalEvent]:
    return [_appointment_event(a, Kind.SECRETARIAT) for a in _appointments()]


def attended_appointments(department: Department):
    """The meetings ``department`` attends: met by one of its officials, or
    of a request it was asked to review."""
    reviewed = ReviewRequest.objects.filter(request=OuterRef("request"), department=department)
    return _appointments().filter(Q(official__department=department) | Q(Exists(reviewed)))


def _review_events(department: Department) -> list[IcalEvent]:
    tz = timezone.get_current_timezone()
    events = []
    reviews = ReviewRequest.objects.filter(department=department, due_on__isnull=False).select_related("request")
    for review in reviews.order_by("due_on", "pk"):
        start = dt.datetime.combine(review.due_on, dt.time(9, 0), tzinfo=tz)
        events.append(
            IcalEvent(
                uid=view_uid("review-due", review.pk, Kind.DEPARTMENT),
                start=start,
                end=start + dt.timedelta(minutes=30),
                summary=f"검토 요청 기한: {review.request.reference}",
                description=_("Answered") if review.answered_at else "",
                last_modified=review.answered_at or review.asked_at,
            )
        )
    return events


def department_source(user) -> list[IcalEvent]:
    profile = StaffProfile.objects.filter(user=user, department__isnull=False).select_related("department").first()
    if profile is None:
        return []
    department = profile.department
    return _review_events(department) + [_attended_event(a) for a in attended_appointments(department)]


def register() -> None:
    register_feed_source(Kind.OFFICIAL, official_source)
    register_feed_source(Kind.SECRETARIAT, secretariat_source)
    register_feed_source(Kind.DEPARTMENT, department_source)
