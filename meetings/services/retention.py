"""The retention purge: a citizen's personal data is removed
``MEETING_RETENTION_YEARS`` after their request ended, as the consent text
says; the statistics stay (docs/privacy.md).

When a request ended (the consent text says "N years after the meeting
ends"):
- when it reached its final status — the meeting held or missed (its
  outcome is recorded after the meeting), answered in writing, declined or
  cancelled — whether or not the secretariat closed it afterwards; closing
  comes later, so counting from it would keep the data longer than promised;
- a request that never got there (abandoned while submitted, under review,
  waiting or booked): its last change — the latest of its submission, its
  last recorded event and the end of its last meeting. A request with a
  meeting still ahead is therefore never purged.

What goes: everything the citizen wrote or that was written to or about
them — name, mobile number, e-mail, subject, description, accessibility
needs, the written answer, the reasons told to them, outcome notes, the
satisfaction comment, the notes of its events, the departments' questions
and opinions, its messages (recipient and text), the calendar event's
description — in the request's row, in every historical row of it
(django-simple-history) and in the outbox. What stays: reference, status,
channel, category, neighborhood, group size, dates, outcome, substitution,
satisfaction score, appointments (who met, when, where), review dates, the
preferred days and waiting-list entries (a day and a status, nothing
personal), and who did what when.

Idempotent: a purged request has ``purged_at`` and is not looked at again.
Done in batches, each in its own transaction, so a long first run neither
holds locks for long nor loses its work if stopped.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from schedule.models import Event, Occurrence

from meetings.models import Appointment, MeetingRequest, Notification, RequestEvent, ReviewRequest
from meetings.rules import ENDED_STATUSES
from scheduling.clock import years_before

BATCH_SIZE = 200
#: Why the purge's own history row was written.
PURGE_REASON = "retention purge"
#: A reason the database requires for a declined or substituted request
#: (its check constraints); the reason itself is gone.
REMOVED = "-"

#: Fields of a request cleared by the purge (and of its historical rows).
BLANK_FIELDS = {
    "name": "",
    "phone": "",
    "email": "",
    "subject": "",
    "description": "",
    "foreign_language": "",
    "foreign_language_other": "",
    "other_needs": "",
    "needs_sign_language": False,
    "needs_foreign_language": False,
    "needs_wheelchair": False,
    "extension_reason": "",
    "written_answer": "",
    "outcome_notes": "",
    "satisfaction_comment": "",
}
#: Reasons a check constraint requires while the status says so.
REQUIRED_REASONS = ("decline_reason", "substitution_reason")


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Requests that ended at or before this moment are purged."""
    return years_before(now or timezone.now(), settings.MEETING_RETENTION_YEARS)


def requests_due_for_purge(*, now: dt.datetime | None = None) -> QuerySet[MeetingRequest]:
    """Requests whose personal data is past its retention period."""
    events = RequestEvent.objects.filter(request=OuterRef("pk"))
    ended_event = events.filter(to_status__in=ENDED_STATUSES).order_by("at").values("at")[:1]
    last_event = events.order_by("-at").values("at")[:1]
    last_meeting = Appointment.objects.filter(request=OuterRef("pk")).order_by("-end").values("end")[:1]
    # SQLite's MAX() of a NULL is NULL: every part falls back to submitted_at.
    last_change = Greatest(
        F("submitted_at"),
        Coalesce(Subquery(last_event), F("submitted_at")),
        Coalesce(Subquery(last_meeting), F("submitted_at")),
    )
    return (
        MeetingRequest.objects.filter(purged_at__isnull=True)
        .annotate(ended_at=Coalesce(Subquery(ended_event), F("closed_at"), last_change))
        .filter(ended_at__lte=retention_cutoff(now))
    )


def _blank_values(row) -> dict:
    values = dict(BLANK_FIELDS)
    for field in REQUIRED_REASONS:
        values[field] = REMOVED if getattr(row, field) else ""
    return values


def _purge_one(request: MeetingRequest, now: dt.datetime) -> None:
    # The row itself: saved, so that its history gains one last version
    # ("retention purge", no user) in which nothing personal is left.
    for field, value in _blank_values(request).items():
        setattr(request, field, value)
    request.token_revoked = True
    request.purged_at = now
    request._change_reason = PURGE_REASON
    request.save()

    # Every earlier version of it.
    history = MeetingRequest.audit_history.model.objects.filter(id=request.pk)
    history.update(**BLANK_FIELDS, decline_reason="", substitution_reason="")
    history.filter(status="declined").update(decline_reason=REMOVED)
    history.filter(status="substituted").update(substitution_reason=REMOVED)

    RequestEvent.objects.filter(request=request).exclude(note="").update(note="")
    ReviewRequest.objects.filter(request=request).update(question="", opinion="")

    # The outbox: what was sent when stays; to whom and what is gone. A
    # message still waiting could no longer reach anyone.
    messages = Notification.objects.filter(request=request)
    messages.update(recipient="", subject="", body="", last_error="", variables={})
    messages.exclude(status__in=[Notification.Status.SENT, Notification.Status.DELIVERED]).update(
        status=Notification.Status.FAILED, last_error="personal data removed"
    )

    # The meetings in the officials' calendars carry the subject.
    event_ids = [pk for pk in Appointment.objects.filter(request=request).values_list("event_id", flat=True) if pk]
    if event_ids:
        Event.objects.filter(pk__in=event_ids).update(description="")
        Occurrence.objects.filter(event_id__in=event_ids).update(description="")

    # The admin's own log names a row by its text ("2026-0012 subject").
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(MeetingRequest), object_id=str(request.pk)
    ).update(object_repr=request.reference, change_message="")


def requests_purge(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Remove the personal data of every request past its retention period
    (celery beat, daily: ``meetings.purge_personal_data``). Returns how many
    requests were purged; running it again purges nothing more."""
    now = now or timezone.now()
    purged = 0
    while True:
        with transaction.atomic():
            due = list(
                requests_due_for_purge(now=now)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:batch_size]
            )
            for request in due:
                _purge_one(request, now)
        purged += len(due)
        if len(due) < batch_size:
            return purged
