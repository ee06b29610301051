"""Read queries the meeting pages share."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from meetings.models import Appointment, MeetingDay, MeetingRequest


def _synced_days(start: dt.date, end: dt.date):
    from meetings.services.series import meeting_days_sync

    meeting_days_sync(start=start, end=end)
    return MeetingDay.objects.filter(start__date__gte=start, start__date__lte=end)


def with_free_slots(days):
    """Annotate ``total_slots`` and ``booked_slots`` on a MeetingDay queryset
    (free = total - booked)."""
    return days.annotate(
        total_slots=Count("slots", distinct=True),
        booked_slots=Count(
            "slots__appointments", filter=Q(slots__appointments__status=Appointment.Status.ACTIVE), distinct=True
        ),
    )


def upcoming_meeting_days(*, count: int = 4, now: dt.datetime | None = None) -> list[MeetingDay]:
    """The next ``count`` meeting days from today, moved and cancelled ones
    included (they are shown with their reason)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = _synced_days(today, today + dt.timedelta(days=31 * ((count + 1) // 2 + 1)))
    return list(with_free_slots(days.filter(end__gt=now)).order_by("start")[:count])


def bookable_meeting_days(*, now: dt.datetime | None = None):
    """The days a citizen may choose: not cancelled, far enough ahead for the
    notice period, within the booking horizon; each with ``free_slots``."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=settings.MEETING_BOOKING_HORIZON_DAYS)
    days = _synced_days(today, horizon).filter(start__gt=now + dt.timedelta(hours=settings.MEETING_CHANGE_NOTICE_HOURS))
    days = days.exclude(status=MeetingDay.Status.CANCELLED).select_related("series")
    return with_free_slots(days).order_by("start")


def free_slots(day: MeetingDay):
    return day.slots.exclude(appointments__status=Appointment.Status.ACTIVE).order_by("start")


def request_queue(*, now: dt.datetime | None = None):
    """Open requests for the secretariat, the late ones first."""
    from django.db.models import Case, DateTimeField, F, Value, When
    from django.db.models.functions import Coalesce

    now = now or timezone.now()
    open_statuses = [
        MeetingRequest.Status.SUBMITTED,
        MeetingRequest.Status.UNDER_REVIEW,
        MeetingRequest.Status.WAITLISTED,
        MeetingRequest.Status.SCHEDULED,
        MeetingRequest.Status.SUBSTITUTED,
    ]
    due = Coalesce(F("extended_due_at"), F("answer_due_at"), output_field=DateTimeField())
    return (
        MeetingRequest.objects.filter(status__in=open_statuses)
        .select_related("neighborhood")
        .annotate(
            due=due,
            is_late=Case(
                When(
                    Q(first_answered_at__isnull=True) & Q(answer_due_at__lt=now) & Q(extended_due_at__isnull=True),
                    then=Value(True),
                ),
                When(Q(first_answered_at__isnull=True) & Q(extended_due_at__lt=now), then=Value(True)),
                default=Value(False),
            ),
        )
        .order_by("-is_late", "due", "submitted_at")
    )
